{#-
    Scorecards are incremental by period (their config is in dbt_project.yml). Biểu 06
    (fct_dossier_periods_monthly) recomputes, whole, every month from the first one a load
    touched and stamps those rows with a newer built_at_load_seq; a scorecard then recomputes
    the periods from that first month on (the whole quarter or year it falls in) and keeps the
    earlier ones. Its own built_at_load_seq is the Biểu 06 state it was computed from, so the
    next build, its scoped data tests and the release (meta.publish.changes) start above it.
-#}

{#- A `where` clause (or, with keyword='and', one more condition) on the monthly counters: the
    months of the periods to recompute, or none when Biểu 06 did not change since this
    scorecard's last build. Empty on a full build.
    The first month is read now and written as a literal, so PostgreSQL pushes the filter
    through int_scorecard_counters_monthly down to the index on fct_dossier_periods_monthly's
    months (PostgreSQL does not push a condition holding a subquery into the view, so it
    would aggregate every month). -#}
{% macro scorecard_months_to_rebuild(period_type='month', keyword='where') -%}
    {%- if is_incremental() -%}
        {%- set first_month = none -%}
        {%- if execute -%}
            {#- The changed rows through the built_at_load_seq index, then their first month: a
                plain min(period_month) makes PostgreSQL walk the month index from the oldest
                month until a changed row turns up (215 ms on 3 years of half a province,
                growing with history; this way 8 ms). -#}
            {%- set first_month = run_query(
                "with changed as materialized (select period_month from "
                ~ ref('fct_dossier_periods_monthly')
                ~ " where built_at_load_seq > " ~ highest_seen('built_at_load_seq')
                ~ ") select min(period_month) from changed"
            ).columns[0].values()[0] -%}
        {%- endif -%}
        {%- if first_month is none %}
    -- Biểu 06 did not change since this scorecard's last build: no period to recompute.
    {{ keyword }} false
        {%- else %}
    -- The periods from the first month Biểu 06 rebuilt since this scorecard's last build.
    {{ keyword }} period_month >= date_trunc('{{ period_type }}', date '{{ first_month }}')::date
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
