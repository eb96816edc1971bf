-- Biểu 06 must balance (cân đối) on every row and from month to month:
--   carried_over + received = settled + rejected_or_withdrawn + in_progress,
--   settled = before + on time + late, in_progress = within time + overdue,
--   received = online + direct + postal, of which received at other units' desks at most all,
--   what the unit itself received through its desk and system (desk_received_*) = received -
--   received at other units' desks + received for other units,
--   and what a month carries over is what the previous month left in progress (plus, at the
--   2025 reform, what an abolished unit handed over: handed_over_in_count).
-- Returns the offending rows; none means the arithmetic closes.
-- In a build, the rows the build wrote are checked (macros/test_scope.sql), each against its
-- previous month wherever that is; run on its own (dbt test), every row. Reading every month
-- with a self-join on every build grew with history (1.2 s on 3 years of half a province; the
-- day's rows: 0.1 s).
{%- set periods_relation = ref('fct_dossier_periods_monthly') %}
{%- set scope = test_scope_filter(periods_relation) %}
with

checked as (

    select * from {{ periods_relation }}
    {%- if scope %}
        where {{ scope }}
    {%- endif %}

),

-- The months the checked rows carry over from, read through the month index.
previous_months as (

    select
        previous.unit_key,
        previous.field_code,
        previous.period_month,
        previous.in_progress_count
    from {{ periods_relation }} as previous
    where previous.period_month >= (select min(checked.period_month) - interval '1 month' from checked)

),

row_checks as (

    select
        unit_key,
        field_code,
        period_month,
        'row balance' as failed_check
    from checked
    where
        carried_over_count + received_count
        <> settled_count + rejected_or_withdrawn_count + in_progress_count
        or settled_count <> settled_before_time_count + settled_on_time_count + settled_late_count
        or in_progress_count <> in_progress_within_time_count + in_progress_overdue_count
        or received_count <> received_online_count + received_direct_count + received_postal_count
        or received_at_other_units_count > received_count
        or desk_received_online_count + desk_received_direct_count + desk_received_postal_count
        <> received_count - received_at_other_units_count + received_for_other_units_count

),

continuity_checks as (

    select
        checked.unit_key,
        checked.field_code,
        checked.period_month,
        'carried over differs from previous month in progress' as failed_check
    from checked
    left join previous_months as previous
        on
            checked.unit_key = previous.unit_key
            and checked.field_code = previous.field_code
            and checked.period_month - interval '1 month' = previous.period_month
    -- Dossiers handed over at the 2025 reform were in progress at the unit that handed them over.
    where checked.carried_over_count - checked.handed_over_in_count <> coalesce(previous.in_progress_count, 0)

)

select * from row_checks
union all
select * from continuity_checks
