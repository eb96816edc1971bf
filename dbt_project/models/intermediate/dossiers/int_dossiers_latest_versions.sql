{#- meta test_scope and the pre-hook: its data tests check the rows this build wrote (macros/test_scope.sql). -#}
{{
    config(
        materialized='incremental',
        unique_key='dossier_code',
        incremental_strategy='delete+insert',
        meta={'test_scope': 'last_load_seq'},
        pre_hook="{{ record_test_scope() }}",
        post_hook=[
            "create index if not exists {{ this.name }}_dossier_code_idx on {{ this }} (dossier_code)",
            "create index if not exists {{ this.name }}_last_load_seq_idx on {{ this }} (last_load_seq)",
            "analyze {{ this }}",
        ],
    )
}}
-- The current state of each dossier: its highest version. Versions can arrive out of order
-- (a retried page, a late update), so "latest" is by version, never by arrival. Also when and
-- in which batch the dossier's newest version landed. An incremental build re-derives only the
-- dossiers with a version landed since its last one, from all their versions.
-- The versions table is named twice, not through one CTE: a CTE read twice is materialized,
-- which would copy every version on each build.
with

{% if is_incremental() %}
    changed as (

        select distinct versions.dossier_code
        from {{ ref('int_dossier_versions') }} as versions
        {{ landed_since_last_build('versions.load_seq', 'last_load_seq') }}

    ),
{% endif %}

latest as (

    select distinct on (versions.dossier_code)
        versions.*,
        max(versions.extracted_at) over dossier as last_extracted_at,
        max(versions.load_seq) over dossier as last_load_seq
    from {{ ref('int_dossier_versions') }} as versions
    {% if is_incremental() %}
        where versions.dossier_code in (select changed.dossier_code from changed)
    {% endif %}
    window dossier as (partition by versions.dossier_code)
    order by versions.dossier_code asc, versions.dossier_version desc, versions.extracted_at asc

)

select * from latest
