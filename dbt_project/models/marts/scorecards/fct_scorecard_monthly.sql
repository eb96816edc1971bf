-- Bảng điểm tháng (monthly scorecard) per unit: the figures one-stop departments report and the Decision 766
-- TDGQ indicator from Motcua's own counters (formulas in macros/scorecard_figures.sql).
-- Incremental by month (macros/scorecard_periods.sql).
-- depends_on: {{ ref('fct_dossier_periods_monthly') }}
with

counters as (

    select * from {{ ref('int_scorecard_counters_monthly') }}
    {{ scorecard_months_to_rebuild('month') }}

),

final as (

    select
        counters.aggregation_level,
        counters.scorecard_unit_key,
        counters.scorecard_unit_code,
        counters.scorecard_unit_level,
        'month' as period_type,
        counters.period_month as period_start_date,
        (counters.period_month + interval '1 month' - interval '1 day')::date as period_end_date,
        {{ scorecard_counter_columns('counters') }}
        {{ scorecard_figures('counters', 'indicators') }},
        (select max(newest.built_at_load_seq) from counters as newest) as built_at_load_seq
    from counters
    {{ join_indicator_valid_on("(counters.period_month + interval '1 month' - interval '1 day')::date") }}

)

select * from final
