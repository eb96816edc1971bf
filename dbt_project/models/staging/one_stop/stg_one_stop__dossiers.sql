-- One row per dossier version, typed. Personal data of the applicant (họ tên, CCCD, điện
-- thoại, địa chỉ) stays in raw: nothing downstream needs it (Decree 13/2023).
with

source as (

    -- With the commit-ordered load sequence of the batch that landed the row: incremental marts
    -- pick up what landed after their last build by it (null until the batch is sealed, see
    -- landing/loader.py).
    select
        dossiers.*,
        batches.load_seq
    from {{ source('one_stop', 'one_stop_dossiers') }} as dossiers
    left join {{ source('one_stop', 'batch_ledger') }} as batches
        on dossiers.batch_id = batches.batch_id

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
        payload ->> 'unit_code' as receiving_unit_code,
        payload ->> 'unit_level' as receiving_unit_level,
        payload ->> 'procedure_code' as procedure_code,
        payload ->> 'procedure_name' as procedure_name,
        payload ->> 'field_code' as field_code,
        payload ->> 'field_name' as field_name,
        -- A dossier with no channel counts as direct (trực tiếp). Some software versions call
        -- the field kenh_nop (schema drift documented in the feed contract).
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
        jsonb_array_length(coalesce(payload -> 'supplement_requests', '[]'::jsonb)) as supplement_request_count,
        -- Kept as jsonb arrays here (a cast, not logic); intermediate models unnest them.
        coalesce(payload -> 'status_history', '[]'::jsonb) as status_history,
        coalesce(payload -> 'supplement_requests', '[]'::jsonb) as supplement_requests

    from source

)

select * from renamed
