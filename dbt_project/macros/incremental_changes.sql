{#- Incremental builds pick up what landed since their last build by the batches' commit-ordered
    load sequence (landing/ledger.py, seal_loaded_batches): a build that saw number n has seen
    every batch numbered below n. A `where` clause keeping the rows of `load_seq` landed after
    the highest `marker` column of this table has seen, plus those of batches not sealed yet
    (null: they are read again once sealed, which is harmless). Empty on a full build. -#}
{% macro landed_since_last_build(load_seq, marker=none) -%}
    {%- if is_incremental() %}
    where
        {{ load_seq }} is null
        or {{ load_seq }} > {{ highest_seen(marker or load_seq.split('.')[-1]) }}
    {%- endif %}
{%- endmacro %}

{#- Every row of a raw landing table with the commit-ordered load sequence of the batch that
    landed it (null until the batch is sealed, see landing/ledger.py), for staging models that
    incremental marts read by it. Inner join: the loader writes a row and its batch in one
    transaction, and a filter on the load sequence then reaches raw through the ledger's index,
    not by scanning raw. -#}
{% macro raw_with_load_seq(raw_relation) -%}
    select
        landed.*,
        batches.load_seq
    from {{ raw_relation }} as landed
    inner join {{ source('one_stop', 'batch_ledger') }} as batches
        on landed.batch_id = batches.batch_id
{%- endmacro %}

{#- The highest value of `column` in this table, read before the model's query runs and written
    into it as a literal: compared with a subquery, PostgreSQL would guess that a third of the
    ledger matches and scan raw whole; with the number it uses the ledger's index and fetches
    only the new batches' rows. -#}
{% macro highest_seen(column) -%}
    {%- if execute -%}
        {%- set existing = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
        {%- if column in existing -%}
            {{ run_query("select coalesce(max(" ~ column ~ "), 0) from " ~ this).columns[0].values()[0] }}
        {%- else -%}
            {#- A table built before the model became incremental: everything counts as new,
                so this build rewrites it whole and on_schema_change adds the column. -#}
            0
        {%- endif -%}
    {%- else -%}
        0
    {%- endif -%}
{%- endmacro %}

{#- The first CTE of an incremental dossier mart (fct_dossiers, fct_dossier_status_events):
    `latest`, the current version of each dossier to re-derive, with when and in which batch its
    newest version landed. A full build re-derives every dossier; an incremental one the
    dossiers with a version landed since the mart's last build, plus, with `also_open`, every
    dossier still open in the mart (its open class depends on the data's as-of instant, which
    moves with every load). Re-deriving a dossier twice is harmless; missing one is not. -#}
{% macro dossiers_to_rebuild(also_open=false) -%}
latest as (

    select * from {{ ref('int_dossiers_latest_versions') }}
    {%- if is_incremental() %}
        {%- set seen = highest_seen('last_load_seq') %}
    where last_load_seq is null or last_load_seq > {{ seen }}
        {%- if also_open %}

    -- Disjoint from the first part, so no union's row comparison; and a semi-join, not an "or",
    -- so PostgreSQL looks the open dossiers up instead of testing every dossier against them.
    union all

    select latest_versions.*
    from {{ ref('int_dossiers_latest_versions') }} as latest_versions
    where
        latest_versions.last_load_seq <= {{ seen }}
        and latest_versions.dossier_code in (
            select existing.dossier_code from {{ this }} as existing where existing.is_open
        )
        {%- endif %}
    {%- endif %}

)
{%- endmacro %}

{#- Thời điểm số liệu (as-of instant) per unit: the end of the latest loaded extraction interval
    of each unit in `batches` (a staging model of the batch ledger), as `source_unit_code`,
    `as_of_at`. Every record is at its state as of the end of the interval it was pulled for, so
    an open record is judged at its own unit's instant: a unit that stops being pulled (an old
    commune after the 2025 reform, a source gone silent) has data only up to its last interval. -#}
{% macro unit_as_of(batches) -%}
    select
        batches.source_unit_code,
        max(batches.interval_end) as as_of_at
    from {{ batches }} as batches
    where batches.batch_status = 'loaded'
    group by batches.source_unit_code
{%- endmacro %}
