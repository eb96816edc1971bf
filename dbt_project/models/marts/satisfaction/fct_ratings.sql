{#- meta test_scope and the pre-hook: its data tests check the rows this build wrote (macros/test_scope.sql). -#}
{{
    config(
        materialized='incremental',
        unique_key='rating_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        meta={'test_scope': 'last_load_seq'},
        pre_hook="{{ record_test_scope() }}",
        post_hook=[
            "create unique index if not exists {{ this.name }}_rating_id_idx on {{ this }} (rating_id)",
            "create index if not exists {{ this.name }}_last_load_seq_idx on {{ this }} (last_load_seq)",
            "create index if not exists {{ this.name }}_rated_month_idx on {{ this }} (rated_month)",
            "analyze {{ this }}",
        ],
    )
}}
-- Đánh giá mức độ hài lòng (satisfaction ratings): one row per rating at its latest version.
-- Versions can arrive out of order, so "latest" is the highest version, never the latest
-- arrival. The comment text stays in staging: free text may carry personal data.
-- Incremental: a build re-derives the ratings with a version landed since its last build (by
-- the batches' load sequence); a rating's row depends on nothing else.
with

versions as (

    select * from {{ ref('stg_satisfaction__ratings') }}
    {%- if is_incremental() %}
        -- An array, not "in (subquery)": PostgreSQL then looks the ids up in raw's key index
        -- instead of joining every landed version with the ledger.
        where rating_id = any(array(
            select distinct new_versions.rating_id
            from {{ ref('stg_satisfaction__ratings') }} as new_versions
            where new_versions.load_seq is null or new_versions.load_seq > {{ highest_seen('last_load_seq') }}
        ))
    {%- endif %}

),

latest as (

    select distinct on (rating_id)
        rating_id,
        rating_version,
        dossier_code,
        unit_code,
        procedure_code,
        rated_at,
        updated_at,
        rating_channel,
        score,
        satisfaction,
        comment_text,
        max(load_seq) over (partition by rating_id) as last_load_seq
    from versions
    order by rating_id asc, rating_version desc, extracted_at asc

),

final as (

    select
        latest.rating_id,
        latest.rating_version,
        latest.dossier_code,
        units.unit_key,
        latest.unit_code,
        latest.procedure_code,
        latest.rated_at,
        {{ vn_date('latest.rated_at') }} as rated_on,
        date_trunc('month', {{ vn_local('latest.rated_at') }})::date as rated_month,
        latest.updated_at,
        latest.rating_channel,
        latest.score,
        latest.satisfaction,
        latest.satisfaction = 'satisfied' as is_satisfied,
        latest.rating_version > 1 as is_edited,
        latest.comment_text is not null as has_comment,
        latest.last_load_seq
    from latest
    -- The unit version in force on the rating day (a 2025 commune may reuse an old code).
    {{ join_unit_valid_on('latest.unit_code', vn_date('latest.rated_at')) }}

)

select * from final
