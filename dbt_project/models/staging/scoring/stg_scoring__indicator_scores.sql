with

source as (

    select * from {{ source('scoring', 'indicator_scores') }}

),

renamed as (

    select
        score_source,
        province_code,
        period_type,
        period,
        unit_code,
        lower(child_group) as child_group,
        methodology_version,
        indicator_code,
        group_code,
        known_indicator,
        numerator,
        denominator,
        ratio_percent,
        official_points,
        official_max_points,
        points,
        max_points,
        is_estimate,
        note,
        data_quality_status,
        data_quality_message
    from source

)

select * from renamed
