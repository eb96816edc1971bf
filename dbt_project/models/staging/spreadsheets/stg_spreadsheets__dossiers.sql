-- Dossier versions from spreadsheet drops, in the same shape as the API feed's staging model.
-- Files carry no status history and only the number of supplement requests.
with

source as (

    -- With the commit-ordered load sequence of the batch that landed the row: incremental marts
    -- pick up what landed after their last build by it (null until the batch is sealed, see
    -- landing/loader.py).
    select
        dossiers.*,
        batches.load_seq
    from {{ source('spreadsheets', 'spreadsheet_dossiers') }} as dossiers
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
        coalesce((payload ->> 'channel')::smallint, 1) as channel_code,
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
        coalesce((payload ->> 'supplement_request_count')::integer, 0) as supplement_request_count,
        '[]'::jsonb as status_history,
        '[]'::jsonb as supplement_requests

    from source

)

select * from renamed
