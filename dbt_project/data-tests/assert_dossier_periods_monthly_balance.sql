-- Biểu 06 must balance (cân đối) on every row and from month to month:
--   carried_over + received = settled + rejected_or_withdrawn + in_progress,
--   settled = before + on time + late, in_progress = within time + overdue,
--   received = online + direct + postal,
--   and what a month carries over is what the previous month left in progress.
-- Returns the offending rows; none means the arithmetic closes.
with

periods as (

    select * from {{ ref('fct_dossier_periods_monthly') }}

),

row_checks as (

    select
        receiving_unit_key,
        field_code,
        period_month,
        'row balance' as failed_check
    from periods
    where
        carried_over_count + received_count
        <> settled_count + rejected_or_withdrawn_count + in_progress_count
        or settled_count <> settled_before_time_count + settled_on_time_count + settled_late_count
        or in_progress_count <> in_progress_within_time_count + in_progress_overdue_count
        or received_count <> received_online_count + received_direct_count + received_postal_count

),

continuity_checks as (

    select
        periods.receiving_unit_key,
        periods.field_code,
        periods.period_month,
        'carried over differs from previous month in progress' as failed_check
    from periods
    left join periods as previous
        on
            periods.receiving_unit_key = previous.receiving_unit_key
            and periods.field_code = previous.field_code
            and periods.period_month - interval '1 month' = previous.period_month
    where periods.carried_over_count <> coalesce(previous.in_progress_count, 0)

)

select * from row_checks
union all
select * from continuity_checks
