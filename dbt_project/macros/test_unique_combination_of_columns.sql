{#- Generic test: no two rows share the same combination of `columns` (dbt_utils is not
    available offline, so the project carries its own). -#}
{% test unique_combination_of_columns(model, columns) %}

    select
        {{ columns | join(', ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1

{% endtest %}
