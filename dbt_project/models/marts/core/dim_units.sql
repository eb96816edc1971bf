-- Units with history (type 2): one row per unit version. The key is (code, valid_from)
-- because a 2025 commune may reuse a predecessor's code. Districts, communes and the province
-- agencies (unit_level 'agency') side by side.
with

units as (

    select * from {{ ref('stg_reference__units') }}

),

final as (

    select
        {{ unit_key('unit_code', 'valid_from') }} as unit_key,
        unit_code,
        unit_name,
        unit_full_name,
        unit_full_name_en,
        unit_level,
        parent_unit_code,
        agency_type,
        valid_from,
        valid_to,
        valid_to is null as is_current
    from units

)

select * from final
