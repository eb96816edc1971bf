-- Điểm chính thức (official Decision 766 scores) as the national portal published them, one row
-- per portal unit x period x indicator, with the points Motcua's engine recomputes from the
-- portal's own counters beside them.
with

scores as (

    select * from {{ ref('stg_scoring__indicator_scores') }}
    -- The closed periods' scores (the running periods' daily snapshots have their own mart).
    where score_source = 'portal' and as_of_date is null

),

unit_map as (

    select * from {{ ref('portal_unit_map') }}

),

final as (

    select
        scores.province_code,
        scores.period_type,
        scores.period,
        scores.unit_code as portal_unit_code,
        unit_map.gso_unit_code,
        scores.child_group,
        scores.methodology_version,
        scores.indicator_code,
        scores.group_code,
        scores.known_indicator,
        scores.numerator,
        scores.denominator,
        scores.ratio_percent,
        scores.official_points,
        scores.official_max_points,
        {{ official_766_recomputed_columns('scores') }},
        scores.is_estimate,
        scores.note,
        scores.data_quality_status,
        scores.data_quality_message
    from scores
    left join unit_map on scores.unit_code = unit_map.portal_code

)

select * from final
