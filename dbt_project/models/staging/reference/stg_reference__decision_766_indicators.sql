-- Bộ chỉ số 766 (Decision 766 indicators), one row per indicator per methodology version.
-- valid_to is the last day the version applies (inclusive), as in the seed.
with

source as (

    select * from {{ ref('decision_766_indicators') }}

),

renamed as (

    select
        methodology_version,
        indicator_code,
        group_code,
        indicator_name_vi,
        indicator_name_en,
        max_points,
        scope as indicator_scope,
        formula,
        target_rate,
        valid_from,
        valid_to
    from source

)

select * from renamed
