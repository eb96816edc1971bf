{#-
    Data tests of a big incremental model check the rows its build wrote, not its whole history,
    so a day's tests cost what the day changed. A model opts in with
        config(meta={'test_scope': '<column>'}, pre_hook="{{ record_test_scope() }}")
    where <column> is an indexed, growing bookkeeping column (the load sequence its rows were
    built from). Before the model is built, the hook records, for this dbt invocation, the
    highest value the table held; a test of the model in the same invocation (dbt build, one
    Cosmos task per model) then reads only the rows above it. A full build records -1, and a test
    run on its own (dbt test, in another invocation) finds no record: both check every row.
    Rows rewritten without a newer value (an open dossier re-derived as time passes) were
    checked when that value was new. Keys stay unique across the whole table through the
    models' unique indexes, not through the scoped tests.
-#}
{% macro record_test_scope() -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set column = (model.config.meta or {}).get('test_scope') -%}
    {%- if not column -%}
        {{ exceptions.raise_compiler_error(
            "record_test_scope(): model " ~ this.identifier ~ " has no meta test_scope column"
        ) }}
    {%- endif -%}
    delete from ops.dbt_test_scopes where recorded_at < now() - interval '30 days';
    insert into ops.dbt_test_scopes (invocation_id, model, scope_column, checked_above)
    select
        '{{ invocation_id }}', '{{ this.identifier }}', '{{ column }}',
        {% if is_incremental() -%} {{ highest_seen(column) }} {%- else -%} -1 {%- endif %}
    on conflict (invocation_id, model) do update set checked_above = excluded.checked_above, recorded_at = now()
{%- endmacro %}

{#- The rows of `relation` its data tests read in this invocation: a filter, or none. -#}
{% macro test_scope_filter(relation) -%}
    {%- if execute and relation is not string and relation.identifier -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'model' and (node.alias or node.name) == relation.identifier
                and node.schema == relation.schema -%}
                {%- set column = node.config.get('meta', {}).get('test_scope') -%}
                {%- if column -%}
                    {#- Read now and written as a literal: compared with a subquery, PostgreSQL would
                        guess a third of the table matches and scan it whole. -#}
                    {%- set recorded = run_query(
                        "select checked_above from ops.dbt_test_scopes where invocation_id = '"
                        ~ invocation_id ~ "' and model = '" ~ relation.identifier ~ "'"
                    ) -%}
                    {%- set above = recorded.columns[0].values()[0] if recorded.rows | length > 0 else -1 -%}
                    {%- do return("(" ~ column ~ " is null or " ~ column ~ " > " ~ above ~ ")") -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- do return('') -%}
{%- endmacro %}

{#- dbt's own get_where_subquery (the `where` config of a test), plus the test scope above. -#}
{% macro get_where_subquery(relation) -%}
    {%- set clauses = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}{%- do clauses.append('(' ~ where ~ ')') -%}{%- endif -%}
    {%- set scope = test_scope_filter(relation) -%}
    {%- if scope -%}{%- do clauses.append(scope) -%}{%- endif -%}
    {%- if clauses -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ clauses | join(' and ') ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
