-- Every landed version of each catalogue record, in version order, with the interval in which
-- it was in force (hiệu lực) and what changed from the previous landed version. The interval
-- comes from the records' own validity, not from when they were loaded:
--   effective_from = the version's valid_from (updated_at's local date when absent)
--   effective_to   = the next version's effective_from, or the version's own valid_to
-- An abolition or transfer repeats the previous valid_from with a valid_to, so the version it
-- replaces gets an empty interval (is_effective false): its content lives on in the new one.
with

versions as (

    select distinct on (procedure_key, procedure_version)
        procedure_key,
        procedure_code,
        authority_level,
        procedure_version,
        extracted_at,
        updated_at,
        procedure_name,
        field_code,
        field_name,
        online_level_legacy,
        online_service_type,
        statutory_working_days,
        fee_amount,
        valid_from,
        valid_to,
        coalesce(valid_from, {{ vn_date('updated_at') }}) as effective_from
    from {{ ref('stg_catalogue__procedures') }}
    order by procedure_key asc, procedure_version asc, extracted_at asc

),

sequenced as (

    select
        versions.*,
        lead(versions.effective_from) over by_version as next_effective_from,
        lag(versions.procedure_version) over by_version as previous_procedure_version,
        lag(versions.online_level_legacy) over by_version as previous_online_level_legacy,
        lag(versions.statutory_working_days) over by_version as previous_statutory_working_days,
        lag(versions.fee_amount) over by_version as previous_fee_amount,
        lag(versions.valid_to) over by_version as previous_valid_to,
        max(versions.procedure_version) over by_key as latest_procedure_version,
        count(*) over by_key as landed_version_count
    from versions
    window
        by_version as (partition by versions.procedure_key order by versions.procedure_version),
        by_key as (partition by versions.procedure_key)

),

final as (

    select
        procedure_key || ':' || procedure_version as procedure_version_key,
        procedure_key,
        procedure_code,
        authority_level,
        procedure_version,
        previous_procedure_version,
        procedure_name,
        field_code,
        field_name,
        online_level_legacy,
        previous_online_level_legacy,
        online_service_type,
        statutory_working_days,
        previous_statutory_working_days,
        coalesce(statutory_working_days < previous_statutory_working_days, false)
            as is_processing_time_reduced,
        fee_amount,
        previous_fee_amount,
        -- First matching change, in this order.
        case
            when previous_procedure_version is null then 'first_landed'
            when valid_to is not null and previous_valid_to is null then 'ended'
            when online_level_legacy > previous_online_level_legacy then 'online_upgrade'
            when online_level_legacy < previous_online_level_legacy then 'online_downgrade'
            when statutory_working_days < previous_statutory_working_days then 'processing_time_reduced'
            when statutory_working_days > previous_statutory_working_days then 'processing_time_increased'
            when fee_amount <> previous_fee_amount then 'fee_change'
            else 'other'
        end as change_type,
        valid_from as record_valid_from,
        valid_to as record_valid_to,
        effective_from,
        -- least() ignores nulls: open-ended when there is no later version and no valid_to.
        least(next_effective_from, valid_to) as effective_to,
        coalesce(least(next_effective_from, valid_to) > effective_from, true) as is_effective,
        procedure_version = latest_procedure_version as is_latest_version,
        -- Every version 1..latest landed: the history before the first landed version is known.
        landed_version_count = latest_procedure_version as is_history_complete,
        updated_at,
        extracted_at
    from sequenced

)

select * from final
