{#-
    Proof that incremental builds equal a full refresh (the lead's pytest drives it):

        dbt build --full-refresh                      # state at an earlier load
        ... land more data ...
        dbt build                                     # incremental
        dbt run-operation save_build_for_comparison   # copies the incremental tables
        dbt build --full-refresh
        dbt run-operation assert_same_as_saved_build  # raises if any row differs; drops copies

    Rows are compared whole (every column but the build's own bookkeeping, EXCEPT ALL both ways,
    so duplicates count too).
    analyses/incremental_equals_full_refresh.sql shows the differing rows for a human.
-#}

{% macro incremental_models_to_compare() -%}
    {{ return([
        'fct_dossiers', 'fct_dossier_status_events', 'fct_dossier_periods_monthly', 'fct_documents',
        'fct_documents_monthly', 'fct_ratings', 'fct_ratings_monthly', 'fct_scorecard_monthly',
        'fct_scorecard_quarterly', 'fct_scorecard_yearly', 'fct_scorecard_monthly_communes_2025',
    ]) }}
{%- endmacro %}

{#- Columns that say when a row was built, not what it says: they differ between an incremental
    build and a full refresh by nature. -#}
{% macro build_bookkeeping_columns() -%}
    {{ return(['built_at_load_seq', 'judged_at_load_seq']) }}
{%- endmacro %}

{% macro save_build_for_comparison(suffix='__incremental_copy') %}
    {% for model_name in incremental_models_to_compare() %}
        {% set source_relation = ref(model_name) %}
        {% set copy_name = model_name ~ suffix %}
        {% do run_query(
            'drop table if exists ' ~ source_relation.schema ~ '.' ~ copy_name ~ ';'
            ~ ' create table ' ~ source_relation.schema ~ '.' ~ copy_name
            ~ ' as select * from ' ~ source_relation ~ ';'
        ) %}
        {% do log('saved ' ~ source_relation ~ ' as ' ~ source_relation.schema ~ '.' ~ copy_name, info=true) %}
    {% endfor %}
{% endmacro %}

{% macro assert_same_as_saved_build(suffix='__incremental_copy', keep_copies=false) %}
    {% set failures = [] %}
    {% for model_name in incremental_models_to_compare() %}
        {% set current_relation = ref(model_name) %}
        {% set copy_relation = current_relation.schema ~ '.' ~ model_name ~ suffix %}
        {% set columns = adapter.get_columns_in_relation(current_relation)
            | map(attribute='name') | reject('in', build_bookkeeping_columns()) | join(', ') %}
        {% set result = run_query(
            'select'
            ~ ' (select count(*) from (select ' ~ columns ~ ' from ' ~ current_relation
            ~ ' except all select ' ~ columns ~ ' from ' ~ copy_relation ~ ') as only_current),'
            ~ ' (select count(*) from (select ' ~ columns ~ ' from ' ~ copy_relation
            ~ ' except all select ' ~ columns ~ ' from ' ~ current_relation ~ ') as only_saved),'
            ~ ' (select count(*) from ' ~ current_relation ~ ')'
        ) %}
        {% set row = result.rows[0] %}
        {% do log(model_name ~ ': ' ~ row[2] ~ ' rows, ' ~ row[0] ~ ' only in the current build, '
            ~ row[1] ~ ' only in the saved build', info=true) %}
        {% if row[0] != 0 or row[1] != 0 %}
            {% do failures.append(model_name) %}
        {% endif %}
        {% if not keep_copies %}
            {% do run_query('drop table if exists ' ~ copy_relation) %}
        {% endif %}
    {% endfor %}
    {% if failures %}
        {{ exceptions.raise_compiler_error('incremental and full-refresh builds differ: ' ~ failures | join(', ')) }}
    {% endif %}
{% endmacro %}
