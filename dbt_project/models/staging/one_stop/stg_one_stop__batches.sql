-- Extract-load batches of the dossier feed. Only the ledger's bookkeeping columns; counts and
-- errors stay in raw for the operators.
with

source as (

    select * from {{ source('one_stop', 'batch_ledger') }}

),

renamed as (

    select
        batch_id,
        unit_code as source_unit_code,
        interval_start,
        interval_end,
        status as batch_status,
        load_seq
    from source
    where source in ('one_stop_dossiers', 'spreadsheet_dossiers')

)

select * from renamed
