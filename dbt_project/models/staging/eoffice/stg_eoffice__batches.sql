-- Extract-load batches of the e-office document feed. Only the ledger's bookkeeping columns: the
-- end of a unit's latest loaded interval is how far its documents are known (fct_documents'
-- as-of instant per unit).
with

source as (

    select * from {{ source('eoffice', 'batch_ledger') }}

),

renamed as (

    select
        batch_id,
        unit_code as source_unit_code,
        interval_start,
        interval_end,
        status as batch_status
    from source
    where source = 'eoffice_documents'

)

select * from renamed
