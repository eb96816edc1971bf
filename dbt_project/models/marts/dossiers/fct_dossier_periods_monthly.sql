{#- meta test_scope and the pre-hook: its data tests check the rows this build wrote (macros/test_scope.sql). -#}
{{
    config(
        materialized='incremental',
        unique_key='period_month',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        meta={'test_scope': 'built_at_load_seq'},
        pre_hook="{{ record_test_scope() }}",
        post_hook=[
            "create index if not exists {{ this.name }}_built_at_load_seq_idx on {{ this }} (built_at_load_seq)",
            "create index if not exists {{ this.name }}_period_month_idx on {{ this }} (period_month)",
            "analyze {{ this }}",
        ],
    )
}}
-- depends_on: {{ ref('stg_one_stop__batches') }}
-- Biểu 06 (Circular 01/2020/TT-VPCP) at its own grain: unit x field x month.
-- Every dossier active in a month (received by its end, not closed before its start) counts at
-- its competent unit (cơ quan có thẩm quyền, the unit that settles it), once on each side of
-- the balance
--     carried_over + received = settled + rejected_or_withdrawn + in_progress
-- (data-tests/assert_dossier_periods_monthly_balance.sql proves it). Classes are against the
-- appointment on the receipt slip (completion_class / open_class of fct_dossiers); "in progress
-- at month end" is judged at the month's end, or at the data's as-of instant for the current
-- month. Months after a unit's as-of instant are not reported.
-- Since 1 July 2025 any desk of the province may receive a dossier for another unit (Decree
-- 118/2025): the receiving unit gets received_for_other_units_count in its month of receipt
-- (outside the balance: the dossier is the competent unit's), and the competent unit's
-- received_at_other_units_count says how many of its received ones came through other desks.
-- An abolished unit's dossier handed over at the 2025 reform counts at that unit before the
-- month of the hand-over and at its successor from then on (carried over there).
-- Incremental by month: a build recomputes, whole, the months from the first one it touched on
-- (see `touched`); earlier months keep their rows.
with

{% if is_incremental() %}
    {%- set seen = highest_seen('built_at_load_seq') %}
    -- The first month a build must recompute: the receipt month of every dossier with a version
    -- landed since the last build (its months from then on may have changed), and, for every
    -- unit whose data moved on, the month its previous as-of instant fell in (that month's open
    -- dossiers were judged at that instant; now at the month's end or at a later instant).
    -- A receipt date that a source moved later would leave its old month stale until a full
    -- refresh; sources do not do that.
    touched as (

        select least(
            (
                select min(date_trunc('month', {{ vn_local('changed.received_at') }}))::date
                from {{ ref('fct_dossiers') }} as changed
                where changed.last_load_seq > {{ seen }}
            ),
            (
                select min(date_trunc('month', {{ vn_local('previous.as_of_at') }} - interval '1 microsecond'))::date
                from (
                    select
                        batches.source_unit_code,
                        max(batches.interval_end) as as_of_at
                    from {{ ref('stg_one_stop__batches') }} as batches
                    where
                        batches.batch_status = 'loaded'
                        and batches.load_seq <= {{ seen }}
                        and batches.source_unit_code in (
                            select moved.source_unit_code
                            from {{ ref('stg_one_stop__batches') }} as moved
                            where moved.batch_status = 'loaded' and moved.load_seq > {{ seen }}
                        )
                    group by batches.source_unit_code
                ) as previous
            )
        ) as first_month

    ),
{% endif %}

dossiers as (

    select
        dossier_code,
        competent_unit_key,
        competent_unit_code,
        competent_unit_level,
        receiving_unit_key,
        receiving_unit_code,
        receiving_unit_level,
        is_received_for_other_unit,
        handed_over_from_unit_key,
        handed_over_from_unit_code,
        handed_over_from_unit_level,
        date_trunc('month', {{ vn_local('handed_over_at') }})::date as handed_over_month,
        field_code,
        channel_code,
        received_at,
        appointment_due_at,
        is_completed,
        is_rejected_or_withdrawn,
        completion_class,
        has_apology_letter,
        is_digitised,
        has_electronic_result,
        has_fee,
        is_paid_online,
        as_of_at,
        date_trunc('month', {{ vn_local('received_at') }})::date as received_month,
        -- A close stamped before receipt (bad source clock) is treated as closing on receipt,
        -- so the balance still holds. (greatest() ignores nulls: keep open dossiers null.)
        case
            when closed_at is not null
                then date_trunc('month', {{ vn_local('greatest(closed_at, received_at)') }})::date
        end as closed_month,
        judged_at_load_seq
    from {{ ref('fct_dossiers') }}
    {% if is_incremental() %}
        -- Only the dossiers active in a touched month: open, or closed from its start on
        -- (fct_dossiers has an index on this expression).
        -- (greatest() ignores nulls, hence the case for open dossiers.)
        where
            (case when closed_at is null then 'infinity'::timestamptz else greatest(closed_at, received_at) end)
            >= (select {{ vn_instant('touched.first_month::timestamp') }} from touched)
    {% endif %}

),

calendar_months as (

    select
        {%- if is_incremental() %}
            greatest(min(month_start_date), (select touched.first_month from touched)) as first_month,
        {%- else %}
            min(month_start_date) as first_month,
        {%- endif %}
        max(month_start_date) as last_month
    from {{ ref('dim_dates') }}

),

-- The months a dossier is active in, from its receipt to its close (or, while open, to the
-- last month that began before the data's as-of instant), within the calendar. Generated per
-- dossier, so the cost follows dossier-months, not dossiers times every month of the calendar.
dossier_months as (

    select
        dossiers.*,
        active.period_month::date as period_month,
        least(
            {{ vn_instant("(active.period_month + interval '1 month')::timestamp") }},
            dossiers.as_of_at
        ) as judged_at
    from dossiers
    cross join calendar_months
    cross join lateral generate_series(
        greatest(dossiers.received_month, calendar_months.first_month),
        least(
            coalesce(
                dossiers.closed_month,
                date_trunc('month', {{ vn_local('dossiers.as_of_at') }} - interval '1 microsecond')::date,
                calendar_months.last_month
            ),
            calendar_months.last_month
        ),
        interval '1 month'
    ) as active (period_month)

),

flagged as (

    select
        -- A dossier handed over at the reform counts at the unit that handed it over in the
        -- months before, at its successor from the month of the hand-over: the successor's
        -- July 2025 carries over what the abolished units had open on 30 June.
        case
            when period_month < handed_over_month then handed_over_from_unit_key else competent_unit_key
        end as unit_key,
        case
            when period_month < handed_over_month then handed_over_from_unit_code else competent_unit_code
        end as unit_code,
        case
            when period_month < handed_over_month then handed_over_from_unit_level else competent_unit_level
        end as unit_level,
        field_code,
        period_month,
        received_month < period_month as is_carried_over,
        received_month = period_month as is_received,
        received_month = period_month and channel_code = 2 as is_received_online,
        received_month = period_month and channel_code = 1 as is_received_direct,
        received_month = period_month and channel_code = 3 as is_received_postal,
        coalesce(closed_month = period_month and is_completed, false) as is_settled,
        coalesce(closed_month = period_month and is_completed and completion_class = 'before_time', false)
            as is_settled_before_time,
        coalesce(closed_month = period_month and is_completed and completion_class = 'on_time', false)
            as is_settled_on_time,
        coalesce(closed_month = period_month and is_completed and completion_class = 'late', false)
            as is_settled_late,
        coalesce(closed_month = period_month and is_rejected_or_withdrawn, false) as is_rejected_or_withdrawn,
        closed_month is null or closed_month > period_month as is_in_progress,
        (closed_month is null or closed_month > period_month) and judged_at <= appointment_due_at
            as is_in_progress_within_time,
        (closed_month is null or closed_month > period_month) and judged_at > appointment_due_at
            as is_in_progress_overdue,
        received_month = period_month and is_digitised as is_received_digitised,
        received_month = period_month and has_fee as is_received_with_fee,
        received_month = period_month and has_fee and is_paid_online as is_received_paid_online,
        coalesce(closed_month = period_month and is_completed and has_electronic_result, false)
            as is_settled_with_electronic_result,
        coalesce(
            closed_month = period_month and is_completed and completion_class = 'late' and has_apology_letter, false
        ) as is_settled_late_with_apology,
        received_month = period_month and is_received_for_other_unit as is_received_at_other_units,
        -- Counted at the receiving unit instead (desk_receptions).
        false as is_received_for_other_units,
        -- Carried over into this month from the unit that handed it over (2025 reform).
        received_month < period_month and period_month = handed_over_month as is_handed_over_in,
        -- Received through this unit (its own desk or system) for itself; those received at
        -- another unit's desk count there (desk_receptions).
        received_month = period_month and not is_received_for_other_unit and channel_code = 2
            as is_desk_received_online,
        received_month = period_month and not is_received_for_other_unit and channel_code = 1
            as is_desk_received_direct,
        received_month = period_month and not is_received_for_other_unit and channel_code = 3
            as is_desk_received_postal
    from dossier_months

),

-- Dossiers a unit's desk received for another unit's competence, in their month of receipt.
desk_receptions as (

    select
        dossiers.receiving_unit_key as unit_key,
        dossiers.receiving_unit_code as unit_code,
        dossiers.receiving_unit_level as unit_level,
        dossiers.field_code,
        dossiers.received_month as period_month,
        true as is_received_for_other_units,
        dossiers.channel_code = 2 as is_desk_received_online,
        dossiers.channel_code = 1 as is_desk_received_direct,
        dossiers.channel_code = 3 as is_desk_received_postal
    from dossiers
    cross join calendar_months
    where
        dossiers.is_received_for_other_unit
        and dossiers.received_month between calendar_months.first_month and calendar_months.last_month

),

counted as (

    select
        unit_key,
        unit_code,
        unit_level,
        field_code,
        period_month,
        -- One count per Biểu 06 counter, by its flag above (macros/scorecard_figures.sql).
        {{ scorecard_counter_counts() }}
    from flagged
    group by unit_key, unit_code, unit_level, field_code, period_month

    union all

    select
        unit_key,
        unit_code,
        unit_level,
        field_code,
        period_month,
        {{ scorecard_counter_counts(only=[
            'received_for_other_units_count', 'desk_received_online_count', 'desk_received_direct_count',
            'desk_received_postal_count',
        ]) }}
    from desk_receptions
    group by unit_key, unit_code, unit_level, field_code, period_month

),

final as (

    select
        unit_key,
        unit_code,
        unit_level,
        field_code,
        period_month,
        {{ scorecard_counter_sums() }},
        -- The newest dossier batch fct_dossiers' last build had seen (its judged_at_load_seq),
        -- not the ledger's newest batch now: a batch sealed while this run built would count as
        -- seen before fct_dossiers held its dossiers, and the next build would not recompute
        -- their months. Not the newest dossier version either: a day of empty batches re-judges
        -- the open dossiers without a newer version, and its months must carry a newer stamp
        -- for the scorecards and the release to pick them up. (The dossiers read here include
        -- every dossier that build wrote: open ones and changed ones are active from the first
        -- touched month on.)
        (select max(dossiers.judged_at_load_seq) from dossiers) as built_at_load_seq
    from counted
    group by unit_key, unit_code, unit_level, field_code, period_month

)

select * from final
