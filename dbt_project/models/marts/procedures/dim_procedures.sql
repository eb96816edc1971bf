-- Thủ tục hành chính (procedures) with history (type 2): one row per catalogue version, in
-- force over [effective_from, effective_to) taken from the versions' own validity, so the
-- history is the same whenever the model is rebuilt. Unlike procedures_snapshot, which records
-- what the latest version looked like each time `dbt snapshot` ran (dbt_valid_from = run time),
-- misses versions that landed between runs, cannot see backfilled history and dates changes by
-- run, not by law: report on this model, keep the snapshot as the audit of what the warehouse
-- saw when. Both online level schemes sit side by side: Decree 43/2011 levels 1-4, which local
-- reports still use, and Decree 42/2022 service types (toàn trình / một phần).
with

versions as (

    select * from {{ ref('int_procedures_versions_sequenced') }}

),

final as (

    select
        procedure_version_key,
        procedure_key,
        procedure_code,
        authority_level,
        case authority_level
            when 'province' then 'Cấp tỉnh'
            when 'district' then 'Cấp huyện'
            when 'commune' then 'Cấp xã'
        end as authority_level_name_vi,
        procedure_version,
        procedure_name,
        field_code,
        field_name,
        online_level_legacy,
        'Mức độ ' || online_level_legacy as online_level_legacy_name_vi,
        online_service_type,
        case online_service_type
            when 'full' then 'Toàn trình'
            when 'partial' then 'Một phần'
            when 'none' then 'Không trực tuyến'
        end as online_service_type_name_vi,
        online_service_type in ('full', 'partial') as is_online_service,
        statutory_working_days,
        previous_statutory_working_days,
        is_processing_time_reduced,
        fee_amount,
        fee_amount > 0 as has_fee,
        change_type,
        record_valid_from,
        record_valid_to,
        effective_from,
        effective_to,
        is_effective,
        is_latest_version,
        is_latest_version and effective_to is null as is_current,
        is_history_complete,
        updated_at
    from versions

)

select * from final
