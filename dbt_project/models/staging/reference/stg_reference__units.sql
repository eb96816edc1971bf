-- The three GSO lists and the province agencies in one shape, with validity: the 2025 reform
-- ended districts and the old communes on 30 June 2025 and created the new communes on 1 July
-- 2025; the agencies (departments, the police, the service centre) carry their own dates.
with

districts as (

    select
        code as unit_code,
        name as unit_name,
        full_name as unit_full_name,
        full_name_en as unit_full_name_en,
        'district' as unit_level,
        province_code as parent_unit_code,
        null::text as agency_type,
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
        null::text as agency_type,
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
        null::text as agency_type,
        {{ reform_date() }} as valid_from,
        null::date as valid_to
    from {{ ref('units__nghe_an_communes_2025') }}

),

-- Cơ quan cấp tỉnh: they settle province-level procedures (the service centre only receives).
province_agencies as (

    select
        code as unit_code,
        name as unit_name,
        full_name as unit_full_name,
        full_name_en as unit_full_name_en,
        'agency' as unit_level,
        province_code as parent_unit_code,
        agency_type,
        valid_from,
        valid_to
    from {{ ref('units__nghe_an_province_agencies') }}

),

unioned as (

    select * from districts
    union all
    select * from communes_before_reform
    union all
    select * from communes_after_reform
    union all
    select * from province_agencies

)

select * from unioned
