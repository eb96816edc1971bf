{#- One row per dossier version of `raw_relation` (raw.one_stop_dossiers or
    raw.spreadsheet_dossiers: the same record shape, see docs/feed_contract.md), typed, with the
    load sequence of the batch that landed it. The two channels of arrival differ only in what
    the payload carries, and every expression below handles both:
    - the API feed has status_history and supplement_requests lists; a spreadsheet row has
      neither (empty lists here) and counts its supplement requests in supplement_request_count;
    - some API software versions call the channel field kenh_nop (schema drift).
    Personal data of the applicant (họ tên, CCCD, điện thoại, địa chỉ) stays in raw: nothing
    downstream needs it (Decree 13/2023). -#}
{% macro staged_dossier_versions(raw_relation) -%}
with

source as (

    {{ raw_with_load_seq(raw_relation) }}

),

renamed as (

    select
        source_key as dossier_code,
        source_version as dossier_version,
        unit_code as source_unit_code,
        batch_id,
        load_seq,
        extracted_at,
        (payload ->> 'updated_at')::timestamptz as updated_at,
        payload ->> 'unit_code' as competent_unit_code,
        payload ->> 'unit_level' as competent_unit_level,
        -- Received at another unit's desk (Decree 118/2025), or, absent, at the competent unit's
        -- (before a hand-over, the unit that handed it over).
        coalesce(
            payload ->> 'receiving_unit_code', payload ->> 'handed_over_from_unit_code', payload ->> 'unit_code'
        ) as receiving_unit_code,
        (payload ->> 'transferred_at')::timestamptz as transferred_at,
        -- An abolished unit's open dossier handed over to unit_code, its successor (2025 reform).
        payload ->> 'handed_over_from_unit_code' as handed_over_from_unit_code,
        payload ->> 'handed_over_from_unit_level' as handed_over_from_unit_level,
        (payload ->> 'handed_over_at')::timestamptz as handed_over_at,
        payload ->> 'procedure_code' as procedure_code,
        payload ->> 'procedure_name' as procedure_name,
        payload ->> 'field_code' as field_code,
        payload ->> 'field_name' as field_name,
        -- A dossier with no channel counts as direct (trực tiếp).
        coalesce(payload ->> 'channel', payload ->> 'kenh_nop', '1')::smallint as channel_code,
        (payload ->> 'status')::smallint as status_code,
        (payload ->> 'received_at')::timestamptz as received_at,
        (payload ->> 'appointment_due_at')::timestamptz as appointment_due_at,
        (payload ->> 'statutory_working_days')::numeric as statutory_working_days,
        (payload ->> 'completed_at')::timestamptz as completed_at,
        (payload ->> 'returned_at')::timestamptz as returned_at,
        (payload ->> 'apology_letter_issued_at')::timestamptz as apology_letter_issued_at,
        coalesce((payload ->> 'is_digitised')::boolean, false) as is_digitised,
        coalesce((payload ->> 'has_electronic_result')::boolean, false) as has_electronic_result,
        coalesce((payload ->> 'fee_amount')::numeric, 0) as fee_amount,
        coalesce((payload ->> 'paid_online')::boolean, false) as is_paid_online,
        coalesce(
            (payload ->> 'supplement_request_count')::integer,
            jsonb_array_length(coalesce(payload -> 'supplement_requests', '[]'::jsonb))
        ) as supplement_request_count,
        -- Kept as jsonb arrays here (a cast, not logic); intermediate models unnest them.
        coalesce(payload -> 'status_history', '[]'::jsonb) as status_history,
        coalesce(payload -> 'supplement_requests', '[]'::jsonb) as supplement_requests

    from source

)

select * from renamed
{%- endmacro %}
