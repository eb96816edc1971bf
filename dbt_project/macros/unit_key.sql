{#- Khoá đơn vị (unit key) of dim_units: GSO code and valid-from, because a 2025 commune may
    reuse a predecessor's code. One definition for every model that builds or joins it. -#}
{% macro unit_key(unit_code, valid_from) -%}
    ({{ unit_code }} || ':' || coalesce({{ valid_from }}::text, 'origin'))
{%- endmacro %}
