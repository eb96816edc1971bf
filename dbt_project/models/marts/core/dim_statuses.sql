-- Trạng thái hồ sơ (dossier statuses) of the national synchronisation scheme, with the
-- portal's string codes and the flags the facts classify by (seeds/reference/dossier_statuses.csv).
with

statuses as (

    select * from {{ ref('stg_reference__dossier_statuses') }}

),

final as (

    select
        status_code,
        status_name_vi,
        status_name_en,
        portal_status,
        lifecycle_stage,
        pauses_clock as is_clock_paused,
        is_final,
        ends_without_result,
        has_result,
        status_key,
        spreadsheet_label
    from statuses

)

select * from final
