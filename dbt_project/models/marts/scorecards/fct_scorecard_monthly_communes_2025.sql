-- Bảng điểm tháng theo xã mới (monthly scorecard re-aggregated to the 2025 communes): history
-- of old communes and districts allocated to their successors through bridge_unit_succession
-- (weighted where a unit was split, so counters can be fractional), plus the 2025 communes'
-- own months. Weighted counters keep 6 decimals. Scored with the same formulas as
-- fct_scorecard_monthly.
with

monthly as (

    select * from {{ ref('int_scorecard_counters_monthly') }}
    where aggregation_level = 'unit'

),

units as (

    select * from {{ ref('dim_units') }}

),

bridge as (

    select * from {{ ref('bridge_unit_succession') }}

),

indicators as (

    select * from {{ ref('stg_reference__decision_766_indicators') }}
    where indicator_code = 'TDGQ'

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
    where units.valid_from = date '2025-07-01'

),

counters as (

    select
        new_unit_key,
        new_unit_code,
        period_month,
        round(sum(carried_over_count * allocation_weight), 6)::numeric(18, 6) as carried_over_count,
        round(sum(received_count * allocation_weight), 6)::numeric(18, 6) as received_count,
        round(sum(received_online_count * allocation_weight), 6)::numeric(18, 6) as received_online_count,
        round(sum(received_direct_count * allocation_weight), 6)::numeric(18, 6) as received_direct_count,
        round(sum(received_postal_count * allocation_weight), 6)::numeric(18, 6) as received_postal_count,
        round(sum(settled_count * allocation_weight), 6)::numeric(18, 6) as settled_count,
        round(sum(settled_before_time_count * allocation_weight), 6)::numeric(18, 6) as settled_before_time_count,
        round(sum(settled_on_time_count * allocation_weight), 6)::numeric(18, 6) as settled_on_time_count,
        round(sum(settled_late_count * allocation_weight), 6)::numeric(18, 6) as settled_late_count,
        round(sum(rejected_or_withdrawn_count * allocation_weight), 6)::numeric(18, 6) as rejected_or_withdrawn_count,
        round(sum(in_progress_count * allocation_weight), 6)::numeric(18, 6) as in_progress_count,
        round(sum(in_progress_within_time_count * allocation_weight), 6)::numeric(18, 6)
            as in_progress_within_time_count,
        round(sum(in_progress_overdue_count * allocation_weight), 6)::numeric(18, 6) as in_progress_overdue_count,
        round(sum(received_digitised_count * allocation_weight), 6)::numeric(18, 6) as received_digitised_count,
        round(sum(received_with_fee_count * allocation_weight), 6)::numeric(18, 6) as received_with_fee_count,
        round(sum(received_paid_online_count * allocation_weight), 6)::numeric(18, 6) as received_paid_online_count,
        round(sum(settled_with_electronic_result_count * allocation_weight), 6)::numeric(18, 6)
            as settled_with_electronic_result_count,
        round(sum(settled_late_with_apology_count * allocation_weight), 6)::numeric(18, 6)
            as settled_late_with_apology_count
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
        counters.carried_over_count,
        counters.received_count,
        counters.received_online_count,
        counters.received_direct_count,
        counters.received_postal_count,
        counters.settled_count,
        counters.settled_before_time_count,
        counters.settled_on_time_count,
        counters.settled_late_count,
        counters.rejected_or_withdrawn_count,
        counters.in_progress_count,
        counters.in_progress_within_time_count,
        counters.in_progress_overdue_count,
        counters.received_digitised_count,
        counters.received_with_fee_count,
        counters.received_paid_online_count,
        counters.settled_with_electronic_result_count,
        counters.settled_late_with_apology_count,
        {{ scorecard_figures('counters', 'indicators') }}
    from counters
    left join indicators
        on
            counters.period_month >= indicators.valid_from
            and counters.period_month <= coalesce(indicators.valid_to, date '9999-12-31')

)

select * from final
