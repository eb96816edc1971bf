{#- Procedures by online level (mức độ dịch vụ công trực tuyến): the legacy levels 1-4 of
    Decree 43/2011 and the full / partial online service of Decree 42/2022, counted over the
    rows of the current group. One list for the province and the unit marts. -#}
{% macro online_level_counts() -%}
    count(*) filter (where online_level_legacy = 1) as online_level_1_count,
    count(*) filter (where online_level_legacy = 2) as online_level_2_count,
    count(*) filter (where online_level_legacy = 3) as online_level_3_count,
    count(*) filter (where online_level_legacy = 4) as online_level_4_count,
    count(*) filter (where online_level_legacy >= 2) as online_level_2_to_4_count,
    count(*) filter (where online_service_type = 'full') as full_online_count,
    count(*) filter (where online_service_type = 'partial') as partial_online_count,
    count(*) filter (where online_service_type = 'none') as not_online_count
{%- endmacro %}
