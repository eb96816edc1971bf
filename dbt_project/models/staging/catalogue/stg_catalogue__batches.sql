-- Extract-load batches of the procedure catalogue feed: the end of the latest loaded interval
-- is how far the catalogue is known (a catalogue changes rarely, so its newest updated_at can
-- be months behind).
with

source as (

    select * from {{ source('catalogue', 'batch_ledger') }}

),

renamed as (

    select
        batch_id,
        unit_code as pull_scope,
        interval_start,
        interval_end,
        status as batch_status
    from source
    where source = 'procedure_catalogue'

)

select * from renamed
