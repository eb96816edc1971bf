-- Every Decision 766 score the scoring step wrote: the closed periods' (as_of_date null, scored
-- by motcua_portal) and the running periods' daily snapshots (scored by motcua_portal_snapshots).
-- One model, so the rows of both are read the same way.
with

closed_periods as (

    select
        *,
        null::date as as_of_date,
        null::bigint as score_seq
    from {{ source('scoring', 'indicator_scores') }}

),

snapshots as (

    select * from {{ source('scoring', 'indicator_score_snapshots') }}

),

source as (

    {%- set columns = [
        'score_source', 'province_code', 'period_type', 'period', 'unit_code', 'child_group',
        'methodology_version', 'indicator_code', 'group_code', 'known_indicator', 'numerator',
        'denominator', 'ratio_percent', 'official_points', 'official_max_points', 'points',
        'max_points', 'is_estimate', 'note', 'data_quality_status', 'data_quality_message',
        'as_of_date', 'score_seq',
    ] %}
    select {{ columns | join(', ') }} from closed_periods
    union all
    select {{ columns | join(', ') }} from snapshots

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
        data_quality_message,
        as_of_date,
        score_seq
    from source

)

select * from renamed
