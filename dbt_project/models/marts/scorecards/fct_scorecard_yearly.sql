-- Bảng điểm năm (yearly scorecard) per unit, rolled up from the monthly counters (flows
-- summed, stocks from the first and last month) and scored with the same formulas, never by
-- averaging monthly rates.
with

monthly as (

    select * from {{ ref('int_scorecard_counters_monthly') }}

),

indicators as (

    select * from {{ ref('stg_reference__decision_766_indicators') }}
    where indicator_code = 'TDGQ'

),

counters as (

    select
        aggregation_level,
        scorecard_unit_key,
        scorecard_unit_code,
        scorecard_unit_level,
        date_trunc('year', period_month)::date as period_start_date,
        {{ scorecard_rollup_columns() }}
    from monthly
    group by
        aggregation_level,
        scorecard_unit_key,
        scorecard_unit_code,
        scorecard_unit_level,
        date_trunc('year', period_month)::date

),

final as (

    select
        counters.aggregation_level,
        counters.scorecard_unit_key,
        counters.scorecard_unit_code,
        counters.scorecard_unit_level,
        'year' as period_type,
        counters.period_start_date,
        (counters.period_start_date + interval '1 year' - interval '1 day')::date as period_end_date,
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
    -- The methodology valid on the first day of the period (versions change on 1 January).
    left join indicators
        on
            counters.period_start_date >= indicators.valid_from
            and counters.period_start_date <= coalesce(indicators.valid_to, date '9999-12-31')

)

select * from final
