-- Đánh giá mức độ hài lòng (satisfaction ratings): one row per rating at its latest version.
-- Versions can arrive out of order, so "latest" is the highest version, never the latest
-- arrival. The comment text stays in staging: free text may carry personal data.
with

versions as (

    select * from {{ ref('stg_satisfaction__ratings') }}

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
        comment_text
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
        latest.comment_text is not null as has_comment
    from latest
    -- The unit version in force on the rating day (a 2025 commune may reuse an old code).
    {{ join_unit_valid_on('latest.unit_code', vn_date('latest.rated_at')) }}

)

select * from final
