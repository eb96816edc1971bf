{#- The dossiers an incremental build of a dossier mart must re-derive: every dossier with a
    version in a batch that landed after the batches this table has seen (by the batches'
    commit-ordered load sequence, see landing/loader.py seal_loaded_batches), plus every version
    in a batch not sealed yet. Re-deriving a dossier twice is harmless; missing one is not.
    `versions` is the alias of int_dossier_versions in the calling model. -#}
{% macro dossiers_landed_since_last_build(versions) -%}
    select {{ versions }}.dossier_code
    from {{ versions }}
    where
        {{ versions }}.load_seq is null
        or {{ versions }}.load_seq > (
            select coalesce(max(existing.last_load_seq), 0) from {{ this }} as existing
        )
{%- endmacro %}
