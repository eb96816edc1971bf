-- Bảng điểm tháng (monthly scorecard) per unit: the seed articles' figures and the Decision 766
-- TDGQ indicator from Motcua's own counters (formulas in macros/scorecard_figures.sql).
with

counters as (

    select * from {{ ref('int_scorecard_counters_monthly') }}

),

indicators as (

    select * from {{ ref('stg_reference__decision_766_indicators') }}
    where indicator_code = 'TDGQ'

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
