-- One row per e-office document version (văn bản), typed. Versions are kept; the marts pick
-- the highest.
with

source as (

    -- With the load sequence of the batch that landed the version: fct_documents picks up new
    -- versions by it.
    {{ raw_with_load_seq(source('eoffice', 'eoffice_documents')) }}

),

renamed as (

    select
        source_key as document_id,
        source_version as document_version,
        unit_code as source_unit_code,
        batch_id,
        load_seq,
        extracted_at,
        (payload ->> 'updated_at')::timestamptz as updated_at,
        payload ->> 'unit_code' as unit_code,
        lower(payload ->> 'direction') as direction,
        payload ->> 'document_number' as document_number,
        payload ->> 'document_type' as document_type,
        payload ->> 'summary' as summary,
        payload ->> 'counterpart' as counterpart,
        (payload ->> 'issued_on')::date as issued_on,
        (payload ->> 'received_at')::timestamptz as received_at,
        (payload ->> 'deadline_at')::timestamptz as deadline_at,
        (payload ->> 'completed_at')::timestamptz as completed_at,
        lower(payload ->> 'status') as document_status,
        coalesce((payload ->> 'is_digitally_signed')::boolean, false) as is_digitally_signed

    from source

)

select * from renamed
