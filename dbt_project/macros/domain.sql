{#- Domain constants as SQL literals. Their values live once, as vars in dbt_project.yml (read by
    Python through motcua.domain); models call these macros and never spell a value out. -#}

{#- Ngày cải cách 2025 (first day of two-level local government) as a date literal. -#}
{% macro reform_date() -%}
    date '{{ var("reform_date") }}'
{%- endmacro %}

{#- Mã tỉnh (the province's GSO code) as a text literal. -#}
{% macro province_code() -%}
    '{{ var("province_code") }}'
{%- endmacro %}

{#- The local time zone's name as a text literal, for `at time zone`. -#}
{% macro vn_time_zone() -%}
    '{{ var("time_zone") }}'
{%- endmacro %}

{#- Seconds in one working day (8 working hours), an integer literal. -#}
{% macro working_day_seconds() -%}
    {{ var("working_day_seconds") }}
{%- endmacro %}
