{#- meta test_scope and the pre-hook: its data tests check the rows this build wrote (macros/test_scope.sql). -#}
{{
    config(
        materialized='incremental',
        unique_key='evaluation_key',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        meta={'test_scope': 'last_load_seq'},
        pre_hook="{{ record_test_scope() }}",
        post_hook=[
            "create index if not exists {{ this.name }}_evaluation_key_idx on {{ this }} (evaluation_key)",
            "create index if not exists {{ this.name }}_last_load_seq_idx on {{ this }} (last_load_seq)",
            "analyze {{ this }}",
        ],
    )
}}
-- Lịch sử điểm 766 (the history of the portal's official Decision 766 points): one row per
-- unit x period x version x group, each version with the day its figures stand at and the day a
-- later version replaced them. The portal shows a running year's and quarter's scores in real
-- time and overwrites them; the daily snapshots (motcua_portal_snapshots) are what lets a unit's
-- score be followed through the year.
-- Incremental: a build re-derives every version of the unit-periods with a version landed since
-- its last build (a new version ends the previous one's validity); nothing else is read.
with

versions as (

    select * from {{ ref('stg_portal__evaluations') }}
    {%- if is_incremental() %}
        where evaluation_key = any(array(
            select distinct new_versions.evaluation_key
            from {{ ref('stg_portal__evaluations') }} as new_versions
            where new_versions.load_seq is null or new_versions.load_seq > {{ highest_seen('last_load_seq') }}
        ))
    {%- endif %}

),

unit_map as (

    select * from {{ ref('portal_unit_map') }}

),

dated as (

    select
        versions.*,
        lead(versions.as_of_date) over (
            partition by versions.evaluation_key order by versions.evaluation_version
        ) as superseded_on,
        max(versions.load_seq) over (partition by versions.evaluation_key) as last_load_seq,
        versions.evaluation_version
        = max(versions.evaluation_version) over (partition by versions.evaluation_key) as is_latest
    from versions

),

final as (

    select
        dated.evaluation_key,
        dated.province_code,
        dated.period_type,
        dated.period,
        dated.portal_unit_code,
        unit_map.gso_unit_code,
        dated.child_group,
        dated.evaluation_version,
        dated.as_of_date,
        dated.superseded_on,
        dated.is_latest,
        groups.key as group_code,
        -- A JSON null stays null (a group the portal did not score), never 0.
        (groups.value #>> '{}')::numeric as official_points,
        dated.total_points,
        dated.last_load_seq
    from dated
    cross join lateral jsonb_each(dated.group_scores) as groups
    left join unit_map
        on
            dated.portal_unit_code = unit_map.portal_code
            and {{ valid_on('unit_map', 'dated.as_of_date') }}

)

select * from final
