-- The current state of each catalogue record (procedure x authority level): its highest
-- version. Versions can arrive out of order (a backfill, a retried page), so "latest" is by
-- version, never by arrival. procedures_snapshot watches this model.
with

versions as (

    select * from {{ ref('stg_catalogue__procedures') }}

),

latest as (

    select distinct on (procedure_key)
        procedure_key,
        procedure_code,
        authority_level,
        procedure_version,
        batch_id,
        extracted_at,
        updated_at,
        procedure_name,
        field_code,
        field_name,
        online_level_legacy,
        online_service_type,
        statutory_working_days,
        fee_amount,
        valid_from,
        valid_to
    from versions
    order by procedure_key asc, procedure_version desc, extracted_at asc

)

select * from latest
