-- Ngày nghỉ lễ, nghỉ bù, làm bù (holidays, substitute days off and compensatory working
-- Saturdays) from the calendar seed, the same file the Python counterpart (motcua_simulator.workdays) reads.
with

source as (

    select * from {{ ref('vn_public_holidays') }}

),

renamed as (

    select
        holiday_date,
        holiday_name_vi,
        holiday_name_en,
        kind as holiday_kind,
        legal_basis,
        kind <> 'compensatory_workday' as is_day_off
    from source

)

select * from renamed
