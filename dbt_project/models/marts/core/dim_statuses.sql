-- Trạng thái hồ sơ (dossier statuses) of the national synchronisation scheme, with the
-- portal's string codes and the flags the facts classify by.
with

statuses (status_code, status_name_vi, status_name_en, portal_status, lifecycle_stage) as (

    values
    (1, 'Nộp trực tuyến', 'Submitted online', 'new', 'submitted'),
    (2, 'Tiếp nhận', 'Received', 'receiving', 'in_progress'),
    (3, 'Từ chối tiếp nhận', 'Rejected at intake', 'denied', 'rejected_or_withdrawn'),
    (4, 'Đang xử lý', 'In process', 'processing', 'in_progress'),
    (5, 'Yêu cầu bổ sung', 'Supplement requested (clock paused)', 'waiting', 'in_progress'),
    (6, 'Chờ thực hiện nghĩa vụ tài chính', 'Awaiting fee or financial obligation', 'paying', 'in_progress'),
    (7, 'Rút hồ sơ', 'Withdrawn by the applicant', 'cancelled', 'rejected_or_withdrawn'),
    (8, 'Dừng xử lý', 'Stopped', 'unresolved', 'rejected_or_withdrawn'),
    (9, 'Có kết quả', 'Result ready', 'releasing', 'settled'),
    (10, 'Đã trả kết quả', 'Result returned', 'done', 'settled')

),

final as (

    select
        status_code::smallint as status_code,
        status_name_vi,
        status_name_en,
        portal_status,
        lifecycle_stage,
        status_code = 5 as is_clock_paused,
        lifecycle_stage in ('settled', 'rejected_or_withdrawn') as is_final
    from statuses

)

select * from final
