{#- meta test_scope and the pre-hook: its data tests check the rows this build wrote (macros/test_scope.sql). -#}
{{
    config(
        materialized='incremental',
        unique_key='snapshot_key',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        meta={'test_scope': 'score_seq'},
        pre_hook="{{ record_test_scope() }}",
        post_hook=[
            "create index if not exists {{ this.name }}_snapshot_key_idx on {{ this }} (snapshot_key)",
            "create index if not exists {{ this.name }}_score_seq_idx on {{ this }} (score_seq)",
            "analyze {{ this }}",
        ],
    )
}}
-- Đối chiếu điểm 766 lũy kế (reconciliation of the year- and quarter-to-date Decision 766
-- scores): for each day motcua_portal_snapshots kept a running year or quarter, per unit and
-- indicator, the portal's official points of that day, the points recomputed from the portal's
-- counters, and the points from Motcua's own counters through that day, with the differences
-- (the same comparison as the closed periods' fct_scorecard_766_reconciliation).
-- Incremental: a build re-derives the snapshot days scored since its last build, nothing else.
with

scores as (

    select
        *,
        province_code || ':' || period || ':' || as_of_date as snapshot_key
    from {{ ref('stg_scoring__indicator_scores') }}
    where
        as_of_date is not null
        {%- if is_incremental() %}
            and score_seq > {{ highest_seen('score_seq') }}
        {%- endif %}

),

unit_map as (

    select * from {{ ref('portal_unit_map') }}

),

official as (

    select
        scores.snapshot_key,
        scores.province_code,
        scores.period_type,
        scores.period,
        scores.as_of_date,
        scores.unit_code as portal_unit_code,
        unit_map.gso_unit_code,
        scores.child_group,
        scores.methodology_version,
        scores.indicator_code,
        scores.group_code,
        scores.ratio_percent,
        scores.official_points,
        {{ official_766_recomputed_columns('scores') }},
        scores.is_estimate,
        scores.score_seq
    from scores
    left join unit_map
        on
            scores.unit_code = unit_map.portal_code
            and {{ valid_on('unit_map', 'scores.as_of_date') }}
    where scores.score_source = 'portal' and scores.known_indicator

),

own as (

    select * from scores
    where score_source = 'own'

),

final as (

    select
        official.snapshot_key,
        official.province_code,
        official.period_type,
        official.period,
        official.as_of_date,
        official.portal_unit_code,
        official.gso_unit_code,
        official.child_group,
        official.methodology_version,
        official.indicator_code,
        official.group_code,
        {{ reconciliation_766_columns('official', 'own') }},
        official.score_seq
    from official
    left join own
        on
            official.snapshot_key = own.snapshot_key
            and official.gso_unit_code = own.unit_code
            and official.indicator_code = own.indicator_code

)

select * from final
