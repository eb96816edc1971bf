-- Bảng điểm tháng theo xã mới (monthly scorecard re-aggregated to the 2025 communes): history
-- of old communes and districts allocated to their successors through bridge_unit_succession
-- (weighted where a unit was split, so counters can be fractional), plus the 2025 communes'
-- own months. Weighted counters keep 6 decimals. Scored with the same formulas as
-- fct_scorecard_monthly. Incremental by month (macros/scorecard_periods.sql).
-- depends_on: {{ ref('fct_dossier_periods_monthly') }}
with

monthly as (

    select * from {{ ref('int_scorecard_counters_monthly') }}
    where aggregation_level = 'unit' {{ scorecard_months_to_rebuild('month', keyword='and') }}

),

units as (

    select * from {{ ref('dim_units') }}

),

bridge as (

    select * from {{ ref('bridge_unit_succession') }}

),

allocated as (

    -- Old units: one row per successor, with its weight.
    select
        bridge.new_unit_key,
        bridge.new_unit_code,
        bridge.allocation_weight,
        monthly.*
    from monthly
    inner join bridge on monthly.scorecard_unit_key = bridge.old_unit_key

    union all

    -- 2025 communes: themselves, whole.
    select
        units.unit_key as new_unit_key,
        units.unit_code as new_unit_code,
        1 as allocation_weight,
        monthly.*
    from monthly
    inner join units on monthly.scorecard_unit_key = units.unit_key
    where units.valid_from = {{ reform_date() }}

),

counters as (

    select
        new_unit_key,
        new_unit_code,
        period_month,
        {{ scorecard_weighted_sums('allocation_weight') }}
    from allocated
    group by new_unit_key, new_unit_code, period_month

),

final as (

    select
        counters.new_unit_key as commune_2025_unit_key,
        counters.new_unit_code as commune_2025_unit_code,
        'month' as period_type,
        counters.period_month as period_start_date,
        (counters.period_month + interval '1 month' - interval '1 day')::date as period_end_date,
        {{ scorecard_counter_columns('counters') }}
        {{ scorecard_figures('counters', 'indicators') }},
        (select max(newest.built_at_load_seq) from monthly as newest) as built_at_load_seq
    from counters
    {{ join_indicator_valid_on("(counters.period_month + interval '1 month' - interval '1 day')::date") }}

)

select * from final
