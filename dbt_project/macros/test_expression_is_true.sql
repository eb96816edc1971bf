{#- Generic test: every row satisfies a boolean SQL expression over its own columns (a balance,
    a range across columns). The rows where it is false or null fail. -#}
{% test expression_is_true(model, expression) %}

    select *
    from {{ model }}
    where not coalesce(({{ expression }}), false)

{% endtest %}
