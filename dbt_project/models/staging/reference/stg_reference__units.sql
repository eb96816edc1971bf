-- The three GSO lists in one shape, with validity: the 2025 reform ended districts and the
-- old communes on 30 June 2025 and created the new communes on 1 July 2025.
with

districts as (

    select
        code as unit_code,
        name as unit_name,
        full_name as unit_full_name,
        full_name_en as unit_full_name_en,
        'district' as unit_level,
        province_code as parent_unit_code,
        null::date as valid_from,
        {{ reform_date() }} as valid_to
    from {{ ref('units__nghe_an_districts_pre2025') }}

),

communes_before_reform as (

    select
        code as unit_code,
        name as unit_name,
        full_name as unit_full_name,
        full_name_en as unit_full_name_en,
        'commune' as unit_level,
        district_code as parent_unit_code,
        null::date as valid_from,
        {{ reform_date() }} as valid_to
    from {{ ref('units__nghe_an_communes_pre2025') }}

),

communes_after_reform as (

    select
        code as unit_code,
        name as unit_name,
        full_name as unit_full_name,
        full_name_en as unit_full_name_en,
        'commune' as unit_level,
        province_code as parent_unit_code,
        {{ reform_date() }} as valid_from,
        null::date as valid_to
    from {{ ref('units__nghe_an_communes_2025') }}

),

unioned as (

    select * from districts
    union all
    select * from communes_before_reform
    union all
    select * from communes_after_reform

)

select * from unioned
