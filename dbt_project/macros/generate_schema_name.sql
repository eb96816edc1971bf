{#- Use the layer's schema name as is (staging, intermediate, audit, reference), instead of
    dbt's default <target_schema>_<custom_schema>: the validation gate and the published
    views address these schemas by name. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
