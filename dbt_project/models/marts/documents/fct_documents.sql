-- Văn bản (e-office documents): one row per document at its latest version (highest version,
-- never the latest arrival), with its lateness. A deadline document is late (trễ hạn) when it
-- was completed after its deadline, or is still open after the deadline as of the data's
-- as-of instant: the newest updated_at in the feed (a document open past that instant is not
-- known to be overdue yet). A document without a deadline is never late.
with

versions as (

    select * from {{ ref('stg_eoffice__documents') }}

),

latest as (

    select distinct on (document_id)
        document_id,
        document_version,
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
        updated_at
    from versions
    order by document_id asc, document_version desc, extracted_at asc

),

as_of as (

    select max(versions.updated_at) as as_of_at
    from versions

),

classified as (

    select
        latest.*,
        as_of.as_of_at,
        latest.deadline_at is not null as has_deadline,
        latest.completed_at is not null as is_completed,
        case
            when latest.deadline_at is null then null
            when latest.completed_at > latest.deadline_at then 'completed_after_deadline'
            when latest.completed_at is null and as_of.as_of_at > latest.deadline_at then 'open_past_deadline'
        end as late_reason
    from latest
    cross join as_of

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
        classified.as_of_at
    from classified
    -- The unit version in force on the day received (a 2025 commune may reuse an old code).
    {{ join_unit_valid_on('classified.unit_code', vn_date('classified.received_at')) }}

)

select * from final
