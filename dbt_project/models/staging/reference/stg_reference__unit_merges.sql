-- Sắp xếp đơn vị hành chính 2025 (the 2025 commune merges): one row per (new commune, old
-- commune). An old commune split between several new ones appears once per successor.
with

source as (

    select * from {{ ref('units__nghe_an_commune_merges_2025') }}

),

renamed as (

    select
        new_code as new_unit_code,
        new_name as new_unit_name,
        old_code as old_unit_code,
        old_name as old_unit_name,
        merge_type
    from source

)

select * from renamed
