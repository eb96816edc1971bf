{{
    config(
        materialized='incremental',
        unique_key='field_code',
        incremental_strategy='delete+insert',
    )
}}
-- Lĩnh vực (fields of procedures) as the dossiers name them, until the procedure catalogue
-- feed arrives. The name is the most recently seen one for the code. Incremental: a build
-- weighs the names in the versions landed since the last one against the names it kept.
with

candidates as (

    select
        versions.field_code,
        versions.field_name as field_name_vi,
        versions.updated_at as name_seen_at,
        versions.load_seq as seen_load_seq
    from {{ ref('int_dossier_versions') }} as versions
    {{ landed_since_last_build('versions.load_seq', 'seen_load_seq') }}

    {% if is_incremental() %}
        union all

        select
            existing.field_code,
            existing.field_name_vi,
            existing.name_seen_at,
            existing.seen_load_seq
        from {{ this }} as existing
    {% endif %}

),

named as (

    -- API versions and spreadsheet rows alike; the newest name wins, ties by name.
    select distinct on (candidates.field_code)
        candidates.field_code,
        candidates.field_name_vi,
        candidates.name_seen_at,
        max(candidates.seen_load_seq) over (partition by candidates.field_code) as seen_load_seq
    from candidates
    where candidates.field_code is not null
    order by candidates.field_code asc, candidates.name_seen_at desc, candidates.field_name_vi asc

)

select * from named
