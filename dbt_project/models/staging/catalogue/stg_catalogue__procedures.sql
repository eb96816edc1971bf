-- One row per catalogue record version (phiên bản): procedure x authority level x version,
-- typed. Every version is kept: intermediate models pick the latest by version number, never
-- by arrival, and derive the type-2 history from the versions' own validity dates.
with

source as (

    select * from {{ source('catalogue', 'procedure_catalogue') }}

),

renamed as (

    select
        source_key as procedure_key,
        payload ->> 'procedure_code' as procedure_code,
        payload ->> 'authority_level' as authority_level,
        source_version as procedure_version,
        batch_id,
        extracted_at,
        (payload ->> 'updated_at')::timestamptz as updated_at,
        payload ->> 'name_vi' as procedure_name,
        payload ->> 'field_code' as field_code,
        payload ->> 'field_name' as field_name,
        (payload ->> 'online_level_legacy')::smallint as online_level_legacy,
        lower(payload ->> 'online_service_type') as online_service_type,
        (payload ->> 'statutory_working_days')::numeric as statutory_working_days,
        coalesce((payload ->> 'fee_amount')::numeric, 0) as fee_amount,
        (payload ->> 'valid_from')::date as valid_from,
        (payload ->> 'valid_to')::date as valid_to

    from source

)

select * from renamed
