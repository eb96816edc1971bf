{#- Khoá đơn vị (unit key) of dim_units: GSO code and valid-from, because a 2025 commune may
    reuse a predecessor's code. One definition for every model that builds or joins it. -#}
{% macro unit_key(unit_code, valid_from) -%}
    ({{ unit_code }} || ':' || coalesce({{ valid_from }}::text, 'origin'))
{%- endmacro %}

{#- Whether the row of `relation` is in force on `day`: valid_from inclusive, valid_to exclusive,
    null for an open end (dim_units, portal_unit_map). -#}
{% macro valid_on(relation, day) -%}
    ({{ relation }}.valid_from is null or {{ relation }}.valid_from <= {{ day }})
    and ({{ relation }}.valid_to is null or {{ day }} < {{ relation }}.valid_to)
{%- endmacro %}

{#- Join the version of unit `unit_code` in force on `day` (a local date), from dim_units, as
    `units`: a 2025 commune may reuse a predecessor's code, so the code alone is not enough. Left
    join: a code unknown on that day keeps its row with a null unit_key. -#}
{% macro join_unit_valid_on(unit_code, day, alias='units') -%}
    left join {{ ref('dim_units') }} as {{ alias }}
        on
            {{ unit_code }} = {{ alias }}.unit_code
            and {{ valid_on(alias, day) }}
{%- endmacro %}
