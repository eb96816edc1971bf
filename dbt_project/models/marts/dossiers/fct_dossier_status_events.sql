{#- meta test_scope and the pre-hook: its data tests check the rows this build wrote (macros/test_scope.sql). -#}
{{
    config(
        materialized='incremental',
        unique_key='dossier_code',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        meta={'test_scope': 'last_load_seq'},
        pre_hook="{{ record_test_scope() }}",
        post_hook=[
            "create index if not exists {{ this.name }}_last_load_seq_idx on {{ this }} (last_load_seq)",
            "create index if not exists {{ this.name }}_dossier_code_idx on {{ this }} (dossier_code)",
            "analyze {{ this }}",
        ],
    )
}}
-- Chuyển trạng thái (status changes): one row per entry of a dossier's status history, from
-- its current version. Incremental like fct_dossiers: a dossier with a newly landed version has
-- all its events deleted and re-inserted (unique_key is the dossier, not the event), so a
-- history that the source rewrote is never left half old.
with

{{ dossiers_to_rebuild() }},

events as (

    select
        latest.dossier_code,
        latest.dossier_version,
        latest.competent_unit_code,
        latest.last_extracted_at,
        latest.last_load_seq,
        history.event_sequence::int as event_sequence,
        (history.status_event ->> 'status')::smallint as status_code,
        (history.status_event ->> 'at')::timestamptz as status_at
    from latest
    cross join lateral jsonb_array_elements(latest.status_history) with ordinality as history (
        status_event, event_sequence
    )

),

final as (

    select
        events.dossier_code || ':' || events.event_sequence as status_event_key,
        events.dossier_code,
        events.dossier_version,
        events.competent_unit_code,
        events.event_sequence,
        events.status_code,
        lag(events.status_code) over (
            partition by events.dossier_code order by events.event_sequence
        ) as previous_status_code,
        events.status_at,
        {{ vn_date('events.status_at') }} as status_date,
        lead(events.status_at) over (
            partition by events.dossier_code order by events.event_sequence
        ) as next_status_at,
        -- Wall-clock hours spent in this status (null for the current status).
        round(
            extract(epoch from lead(events.status_at) over (
                partition by events.dossier_code order by events.event_sequence
            ) - events.status_at) / 3600.0,
            4
        )::numeric(14, 4) as hours_in_status,
        events.last_extracted_at,
        events.last_load_seq
    from events

)

select * from final
