-- Trạng thái hồ sơ (dossier statuses) with their lifecycle flags, from the seed that owns them:
-- models join this instead of listing status codes (such as the three that end a dossier without a result).
with

source as (

    select * from {{ ref('dossier_statuses') }}

),

renamed as (

    select
        status_code,
        status_key,
        status_name_vi,
        status_name_en,
        spreadsheet_label,
        portal_status,
        lifecycle_stage,
        pauses_clock,
        ends_without_result,
        has_result,
        ends_without_result or has_result as is_final
    from source

)

select * from renamed
