{#- The first CTEs of an incremental dossier mart (fct_dossiers, fct_dossier_status_events):
    `versions` (every version), `latest` (the current version of each dossier to re-derive) and
    `last_extraction` (when and in which batch its newest version landed).

    A full build re-derives every dossier. An incremental build re-derives the dossiers with a
    version in a batch that landed after the batches this table has seen, by the batches'
    commit-ordered load sequence (landing/ledger.py, seal_loaded_batches), plus every version in
    a batch not sealed yet, plus, with `also_open`, every dossier still open in the table (its
    open class depends on the data's as-of instant, which moves with every load). Re-deriving a
    dossier twice is harmless; missing one is not. -#}
{% macro dossiers_to_rebuild(also_open=false) -%}
versions as (

    select * from {{ ref('int_dossier_versions') }}

),

{% if is_incremental() %}
    changed as (

        select versions.dossier_code
        from versions
        where
            versions.load_seq is null
            or versions.load_seq > (
                select coalesce(max(existing.last_load_seq), 0) from {{ this }} as existing
            )
        {%- if also_open %}

        union

        select existing.dossier_code
        from {{ this }} as existing
        where existing.is_open
        {%- endif %}

    ),
{% endif %}

latest as (

    select * from {{ ref('int_dossiers_latest_versions') }}
    {% if is_incremental() %}
        where dossier_code in (select changed.dossier_code from changed)
    {% endif %}

),

last_extraction as (

    select
        versions.dossier_code,
        max(versions.extracted_at) as last_extracted_at,
        max(versions.load_seq) as last_load_seq
    from versions
    {% if is_incremental() %}
        where versions.dossier_code in (select changed.dossier_code from changed)
    {% endif %}
    group by versions.dossier_code

)
{%- endmacro %}
