{#- meta test_scope and the pre-hook: its data tests check the rows this build wrote (macros/test_scope.sql). -#}
{{
    config(
        materialized='incremental',
        unique_key='document_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        meta={'test_scope': 'last_load_seq'},
        pre_hook="{{ record_test_scope() }}",
        post_hook=[
            "create unique index if not exists {{ this.name }}_document_id_idx on {{ this }} (document_id)",
            "create index if not exists {{ this.name }}_last_load_seq_idx on {{ this }} (last_load_seq)",
            "create index if not exists {{ this.name }}_open_idx on {{ this }} (document_id) where completed_at is null",
            "create index if not exists {{ this.name }}_as_of_at_idx on {{ this }} (as_of_at)",
            "create index if not exists {{ this.name }}_received_month_idx on {{ this }} (received_month)",
            "analyze {{ this }}",
        ],
    )
}}
-- Văn bản (e-office documents): one row per document at its latest version (highest version,
-- never the latest arrival), with its lateness. A deadline document is late (trễ hạn) when it
-- was completed after its deadline, or is still open after the deadline as of its unit's as-of
-- instant: the end of the latest loaded pull of the unit whose e-office system served it (a
-- document open past that instant is not known to be overdue yet). Per unit, as in
-- fct_dossiers: a unit pulled last a week ago (a failing source, an old commune after the 2025
-- reform) is judged as of a week ago, not as of the province's newest pull. A document without
-- a deadline is never late.
-- Incremental: a build re-derives the documents with a version landed since its last build
-- (by the batches' load sequence) and every open document (its lateness moves with the as-of
-- instant); a completed document's row never changes again.
with

{% if is_incremental() %}
    {%- set seen = highest_seen('last_load_seq') %}
    new_versions as (

        select * from {{ ref('stg_eoffice__documents') }}
        where load_seq is null or load_seq > {{ seen }}

    ),

    to_rebuild as (

        select new_versions.document_id from new_versions
        union
        select open_documents.document_id from {{ this }} as open_documents
        where open_documents.completed_at is null

    ),

    versions as (

        -- An array, not "in (subquery)": PostgreSQL then looks the ids up in raw's key index
        -- instead of joining every landed version with the ledger.
        select * from {{ ref('stg_eoffice__documents') }}
        where document_id = any(array(select to_rebuild.document_id from to_rebuild))

    ),
{% else %}
    versions as (

        select * from {{ ref('stg_eoffice__documents') }}

    ),
{% endif %}

-- Thời điểm số liệu (as-of instant) of the unit whose system served the document (macros/incremental_changes.sql).
unit_as_of as (

    {{ unit_as_of(ref('stg_eoffice__batches')) }}

),

latest as (

    select distinct on (document_id)
        document_id,
        document_version,
        source_unit_code,
        unit_code,
        direction,
        document_number,
        document_type,
        counterpart,
        issued_on,
        received_at,
        deadline_at,
        completed_at,
        document_status,
        is_digitally_signed,
        updated_at,
        max(load_seq) over (partition by document_id) as last_load_seq
    from versions
    order by document_id asc, document_version desc, extracted_at asc

),

classified as (

    select
        latest.*,
        unit_as_of.as_of_at,
        latest.deadline_at is not null as has_deadline,
        latest.completed_at is not null as is_completed,
        case
            when latest.deadline_at is null then null
            when latest.completed_at > latest.deadline_at then 'completed_after_deadline'
            when latest.completed_at is null and unit_as_of.as_of_at > latest.deadline_at then 'open_past_deadline'
        end as late_reason
    from latest
    left join unit_as_of on latest.source_unit_code = unit_as_of.source_unit_code

),

final as (

    select
        classified.document_id,
        classified.document_version,
        units.unit_key,
        classified.unit_code,
        classified.direction,
        classified.document_number,
        classified.document_type,
        classified.counterpart,
        classified.issued_on,
        classified.received_at,
        date_trunc('month', {{ vn_local('classified.received_at') }})::date as received_month,
        classified.deadline_at,
        classified.completed_at,
        classified.document_status,
        classified.has_deadline,
        classified.is_completed,
        classified.late_reason is not null as is_late,
        classified.late_reason,
        classified.is_digitally_signed,
        classified.updated_at,
        -- Only an open document's lateness depends on it (as in fct_dossiers).
        case when not classified.is_completed then classified.as_of_at end as as_of_at,
        classified.last_load_seq
    from classified
    -- The unit version in force on the day received (a 2025 commune may reuse an old code).
    {{ join_unit_valid_on('classified.unit_code', vn_date('classified.received_at')) }}

)

select * from final
