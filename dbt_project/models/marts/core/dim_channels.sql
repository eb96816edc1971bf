-- Kênh nộp hồ sơ (submission channels) of the national synchronisation scheme. Three fixed
-- codes, so a model rather than a seed.
with

channels (channel_code, channel_name_vi, channel_name_en, is_online, is_postal) as (

    values
    (1, 'Trực tiếp', 'Direct (at the one-stop desk)', false, false),
    (2, 'Trực tuyến', 'Online', true, false),
    (3, 'Bưu chính công ích', 'Public postal service', false, true)

),

final as (

    select
        channel_code::smallint as channel_code,
        channel_name_vi,
        channel_name_en,
        is_online,
        is_postal
    from channels

)

select * from final
