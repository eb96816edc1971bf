{#-
    A scorecard over a longer period (quarter, year) per unit, rolled up from the monthly
    counters (flows summed, stocks from the first and last month) and scored with the same
    formulas as the month, never by averaging monthly rates. The period balances as
    carried over + received = settled + rejected or withdrawn + in progress + open_left_scope_count. `period_type` is a date_trunc
    field: 'quarter' or 'year'. Incremental by period: a build recomputes whole quarters or years
    (macros/scorecard_periods.sql); the model declares its dependency on Biểu 06 with
    `-- depends_on: {{ ref('fct_dossier_periods_monthly') }}`.
-#}
{% macro scorecard_rollup(period_type) -%}
{%- set months = {'quarter': 3, 'year': 12}[period_type] -%}
with

monthly as (

    select
        *,
        -- Open dossiers at a month's end that are not carried into the next month of the same
        -- period: they left the scope (a unit ceased, e.g. on 1 July 2025, and its open
        -- dossiers were handed over). Negative when more came in than went out. A missing month
        -- carries nothing; the last month of the period has no next month to compare.
        case
            when lead(period_month) over period_months is null then 0
            when lead(period_month) over period_months = (period_month + interval '1 month')::date
                then in_progress_count - lead(carried_over_count) over period_months
            else in_progress_count
        end as open_left_scope_count
    from {{ ref('int_scorecard_counters_monthly') }}
    {{ scorecard_months_to_rebuild(period_type) }}
    window period_months as (
        partition by
            aggregation_level, scorecard_unit_key, date_trunc('{{ period_type }}', period_month)
        order by period_month
    )

),

counters as (

    select
        aggregation_level,
        scorecard_unit_key,
        scorecard_unit_code,
        scorecard_unit_level,
        date_trunc('{{ period_type }}', period_month)::date as period_start_date,
        {{ scorecard_rollup_columns() }},
        sum(open_left_scope_count)::bigint as open_left_scope_count
    from monthly
    group by
        aggregation_level,
        scorecard_unit_key,
        scorecard_unit_code,
        scorecard_unit_level,
        date_trunc('{{ period_type }}', period_month)::date

),

final as (

    select
        counters.aggregation_level,
        counters.scorecard_unit_key,
        counters.scorecard_unit_code,
        counters.scorecard_unit_level,
        '{{ period_type }}' as period_type,
        counters.period_start_date,
        (counters.period_start_date + interval '{{ months }} months' - interval '1 day')::date as period_end_date,
        {{ scorecard_counter_columns('counters') }}
        counters.open_left_scope_count,
        {{ scorecard_figures('counters', 'indicators') }},
        (select max(newest.built_at_load_seq) from monthly as newest) as built_at_load_seq
    from counters
    {{ join_indicator_valid_on(
        "(counters.period_start_date + interval '" ~ months ~ " months' - interval '1 day')::date"
    ) }}

)

select * from final
{%- endmacro %}
