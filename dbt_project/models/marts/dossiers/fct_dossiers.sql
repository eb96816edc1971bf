{#- meta test_scope and the pre-hook: its data tests check the rows this build wrote (macros/test_scope.sql).
    The (unit, received date) index serves the release's volume check, which reads a unit's previous
    28 days (expectations/fct_dossiers.json). -#}
{{
    config(
        materialized='incremental',
        unique_key='dossier_code',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        meta={'test_scope': 'last_load_seq'},
        pre_hook="{{ record_test_scope() }}",
        post_hook=[
            "create unique index if not exists {{ this.name }}_dossier_code_idx on {{ this }} (dossier_code)",
            "create index if not exists {{ this.name }}_open_idx on {{ this }} (dossier_code) where is_open",
            "create index if not exists {{ this.name }}_last_load_seq_idx on {{ this }} (last_load_seq)",
            "create index if not exists {{ this.name }}_unit_received_idx on {{ this }} (competent_unit_code, received_date)",
            "create index if not exists {{ this.name }}_active_until_idx on {{ this }}
                ((case when closed_at is null then 'infinity'::timestamptz else greatest(closed_at, received_at) end))",
            "analyze {{ this }}",
        ],
    )
}}
-- Accumulating snapshot: one row per dossier (hồ sơ), rewritten whenever a new version lands.
-- Incremental runs touch the dossiers with a version in a batch that landed (committed) after
-- the last build, plus every dossier still open in the table: their open class (trong hạn /
-- quá hạn) depends on the data's as-of instant, which moves with every load. Each touched
-- dossier is re-derived from all its versions, so a late or out-of-order version lands
-- correctly and an incremental build equals a full refresh (analyses/incremental_equals_full_refresh.sql
-- checks it).
with

{{ dossiers_to_rebuild(also_open=true) }},

deadlines as (

    {{ dossier_deadlines('latest') }}

),

statuses as (

    select * from {{ ref('stg_reference__dossier_statuses') }}

),

-- Thời điểm số liệu (as-of instant) of the unit whose system served the dossier (macros/incremental_changes.sql).
unit_as_of as (

    {{ unit_as_of(ref('stg_one_stop__batches')) }}

),

-- The newest dossier batch this build could see (read in the same statement as the versions, so
-- every batch numbered up to it is in `latest` or in an earlier build). Every row this build
-- writes carries it: a day of empty batches moves the as-of instant and re-judges the open
-- dossiers without any newer version, and Biểu 06, the scorecards and the release must still
-- see that something changed (fct_dossier_periods_monthly stamps its months with it).
ledger_seen as (

    select max(batches.load_seq) as judged_at_load_seq
    from {{ ref('stg_one_stop__batches') }} as batches

),

classified as (

    select
        latest.*,
        deadlines.clock_started_at,
        deadlines.statutory_due_at,
        deadlines.is_clock_paused,
        deadlines.paused_working_hours,
        deadlines.working_hours_taken,
        deadlines.working_days_taken,
        units.unit_key as competent_unit_key,
        receiving_units.unit_key as receiving_unit_key,
        receiving_units.unit_level as receiving_unit_level,
        handing_units.unit_key as handed_over_from_unit_key,
        unit_as_of.as_of_at,
        latest.status_code in {{ statuses_with('ends_without_result') }} and latest.completed_at is null
            as is_rejected_or_withdrawn,
        latest.completed_at is null and latest.status_code not in {{ statuses_with('ends_without_result') }}
            as is_open,
        {{ dossier_closed_at('latest') }} as closed_at
    from latest
    left join unit_as_of on latest.source_unit_code = unit_as_of.source_unit_code
    left join deadlines on latest.dossier_code = deadlines.dossier_code
    -- Each unit as it was on the day it held the dossier (a 2025 commune may reuse an old code):
    -- the competent unit from the hand-over on when there was one, else from receipt.
    {%- set competent_since = 'coalesce(latest.handed_over_at, latest.received_at)' %}
    {{ join_unit_valid_on('latest.competent_unit_code', vn_date(competent_since)) }}
    {{ join_unit_valid_on('latest.receiving_unit_code', vn_date('latest.received_at'), 'receiving_units') }}
    {{ join_unit_valid_on('latest.handed_over_from_unit_code', vn_date('latest.received_at'), 'handing_units') }}

),

final as (

    select
        dossier_code,
        dossier_version,
        competent_unit_code,
        competent_unit_key,
        competent_unit_level,
        receiving_unit_code,
        receiving_unit_key,
        receiving_unit_level,
        -- Received at another unit's desk for this unit's competence (Decree 118/2025); a
        -- dossier handed over at the reform was received by the unit that handed it over.
        receiving_unit_code != coalesce(handed_over_from_unit_code, competent_unit_code) as is_received_for_other_unit,
        transferred_at,
        handed_over_from_unit_code,
        handed_over_from_unit_key,
        handed_over_from_unit_level,
        handed_over_at,
        procedure_code,
        field_code,
        channel_code,
        status_code,
        received_at,
        {{ vn_date('received_at') }} as received_date,
        clock_started_at,
        appointment_due_at,
        statutory_working_days,
        statutory_due_at,
        completed_at,
        returned_at,
        closed_at,
        completed_at is not null as is_completed,
        is_open,
        is_rejected_or_withdrawn,
        -- Against the appointment on the receipt slip (Form 01), as the source system reports.
        case
            when completed_at is null then null
            when completed_at > appointment_due_at then 'late'
            when {{ vn_date('completed_at') }} = {{ vn_date('appointment_due_at') }} then 'on_time'
            else 'before_time'
        end as completion_class,
        -- Same rule against the statutory due date Motcua computes itself.
        case
            when completed_at is null or statutory_due_at is null then null
            when completed_at > statutory_due_at then 'late'
            when {{ vn_date('completed_at') }} = {{ vn_date('statutory_due_at') }} then 'on_time'
            else 'before_time'
        end as statutory_completion_class,
        -- Only open dossiers depend on the as-of instant; keeping it on closed ones would make
        -- rows that no incremental run touches go stale.
        case when is_open then as_of_at end as as_of_at,
        case
            when not is_open then null
            when as_of_at > appointment_due_at then 'overdue'
            else 'within_time'
        end as open_class,
        -- A stopped clock (unanswered supplement request) cannot run out: within time.
        case
            when not is_open then null
            when statutory_due_at is not null and as_of_at > statutory_due_at then 'overdue'
            else 'within_time'
        end as statutory_open_class,
        coalesce(completed_at > appointment_due_at, false)
        or coalesce(is_open and as_of_at > appointment_due_at, false) as is_late,
        apology_letter_issued_at,
        apology_letter_issued_at is not null as has_apology_letter,
        (
            coalesce(completed_at > appointment_due_at, false)
            or coalesce(is_open and as_of_at > appointment_due_at, false)
        ) and apology_letter_issued_at is null as is_apology_missing,
        channel_code = 2 as is_online,
        channel_code = 1 as is_direct,
        channel_code = 3 as is_postal,
        is_digitised,
        has_electronic_result,
        fee_amount,
        fee_amount > 0 as has_fee,
        is_paid_online,
        supplement_request_count,
        is_clock_paused,
        paused_working_hours,
        working_hours_taken,
        working_days_taken,
        updated_at as source_updated_at,
        last_extracted_at,
        last_load_seq,
        (select ledger_seen.judged_at_load_seq from ledger_seen) as judged_at_load_seq
    from classified

)

select * from final
