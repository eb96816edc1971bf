{#-
    Scorecard figures (chỉ tiêu) from Biểu 06 counters, one definition for every scorecard
    grain (month, quarter, year, re-aggregated 2025 communes) so rates are always recomputed
    from summed counters, never averaged. `c` is the alias of the counters relation and `i`
    the alias of the TDGQ row of stg_reference__decision_766_indicators valid on the period.

    TDGQ (tiến độ giải quyết, Decision 766; docs/decision_766.md): the formula
        20 x (settled before or on time + in progress within time) / dossiers handled,
    where "dossiers handled" is Biểu 06's "số hồ sơ nhận giải quyết" (carried over + newly
    received) less those rejected or withdrawn, which by the balance equals settled + in
    progress; the latter form is used because it also holds for a quarter or year in which a
    unit ceased (its open dossiers left the scope: open_left_scope_count). So the rate is at
    most 1 and the counters add up across units and periods. The
    portal publishes the same idea as totalOnTime / totalReceived (motcua.scoring.portal);
    its exact counter definitions are not public, so reconcile against its figures. Points
    follow motcua.scoring.engine for formula `proportional`: max x rate, rate capped at 1,
    0 points on a zero denominator, rounded to 2 decimals half up.
-#}
{% macro safe_ratio(numerator, denominator) -%}
    (case when ({{ denominator }}) > 0 then round(({{ numerator }})::numeric / ({{ denominator }}), 6) end)::numeric(9, 6)
{%- endmacro %}

{% macro scorecard_figures(c='counters', i='indicators') -%}
        {#- Capped like tdgq_rate: weighted counters (split units) are each rounded to 6 decimals,
            so before + on time can exceed settled by 0.000001 when nothing was late. -#}
        {{ safe_ratio(
            'least(' ~ c ~ '.settled_before_time_count + ' ~ c ~ '.settled_on_time_count, ' ~ c ~ '.settled_count)',
            c ~ '.settled_count'
        ) }} as on_time_rate,
        {{ c }}.settled_late_count as late_count,
        {{ safe_ratio(c ~ '.settled_late_with_apology_count', c ~ '.settled_late_count') }} as apology_coverage_rate,
        {{ safe_ratio(c ~ '.received_online_count', c ~ '.received_count') }} as online_share,
        {{ safe_ratio(c ~ '.received_postal_count', c ~ '.received_count') }} as postal_share,
        {{ safe_ratio(c ~ '.received_digitised_count', c ~ '.received_count') }} as digitised_share,
        {{ safe_ratio(c ~ '.received_paid_online_count', c ~ '.received_with_fee_count') }} as online_payment_share,
        {{ safe_ratio(c ~ '.settled_with_electronic_result_count', c ~ '.settled_count') }}
        as electronic_result_share,
        {{ c }}.settled_before_time_count + {{ c }}.settled_on_time_count + {{ c }}.in_progress_within_time_count
        as tdgq_numerator,
        {{ c }}.settled_count + {{ c }}.in_progress_count as tdgq_denominator,
        {{ safe_ratio(
            'least(' ~ c ~ '.settled_before_time_count + ' ~ c ~ '.settled_on_time_count + '
            ~ c ~ '.in_progress_within_time_count, ' ~ c ~ '.settled_count + ' ~ c ~ '.in_progress_count)',
            c ~ '.settled_count + ' ~ c ~ '.in_progress_count'
        ) }} as tdgq_rate,
        case
            when {{ i }}.methodology_version is null then null
            when {{ c }}.settled_count + {{ c }}.in_progress_count <= 0 then 0
            else round(
                {{ i }}.max_points * least(
                    ({{ c }}.settled_before_time_count + {{ c }}.settled_on_time_count
                    + {{ c }}.in_progress_within_time_count)::numeric
                    / ({{ c }}.settled_count + {{ c }}.in_progress_count),
                    1
                ),
                2
            )
        end::numeric(6, 2) as tdgq_points,
        {{ i }}.max_points as tdgq_max_points,
        {{ i }}.methodology_version
{%- endmacro %}

{#- Biểu 06 counters in the order the scorecard marts show them; flows add up over time,
    stocks (carried over, in progress) are states at the start or end of a period. -#}
{% macro scorecard_counters() -%}
    {{ return([
        'carried_over_count', 'received_count', 'received_online_count', 'received_direct_count',
        'received_postal_count', 'settled_count', 'settled_before_time_count', 'settled_on_time_count',
        'settled_late_count', 'rejected_or_withdrawn_count', 'in_progress_count',
        'in_progress_within_time_count', 'in_progress_overdue_count', 'received_digitised_count',
        'received_with_fee_count', 'received_paid_online_count', 'settled_with_electronic_result_count',
        'settled_late_with_apology_count', 'received_at_other_units_count', 'received_for_other_units_count',
        'handed_over_in_count', 'desk_received_online_count', 'desk_received_direct_count',
        'desk_received_postal_count',
    ]) }}
{%- endmacro %}

{% macro scorecard_stock_counters() -%}
    {{ return(['in_progress_count', 'in_progress_within_time_count', 'in_progress_overdue_count']) }}
{%- endmacro %}

{% macro scorecard_flow_counters() -%}
    {% set flows = [] %}
    {% for counter in scorecard_counters() %}
        {% if counter != 'carried_over_count' and counter not in scorecard_stock_counters() %}
            {% do flows.append(counter) %}
        {% endif %}
    {% endfor %}
    {{ return(flows) }}
{%- endmacro %}

{#- The counters counted, for a select list grouped by unit and month, from rows (one per
    dossier and month) that carry a flag per counter named after it: is_<counter without
    _count>, e.g. is_settled_late for settled_late_count. With `only`, the other counters are
    0 (rows that carry only those flags). -#}
{% macro scorecard_counter_counts(only=none) -%}
    {% for counter in scorecard_counters() -%}
        {% if only is none or counter in only -%}
            count(*) filter (where is_{{ counter[:-6] }}) as {{ counter }}{{ "," if not loop.last }}
        {% else -%}
            0::bigint as {{ counter }}{{ "," if not loop.last }}
        {% endif -%}
    {% endfor -%}
{%- endmacro %}

{#- The counters summed over the rows of a group (units and fields into a scorecard unit). -#}
{% macro scorecard_counter_sums() -%}
    {% for counter in scorecard_counters() -%}
        sum({{ counter }})::bigint as {{ counter }}{{ "," if not loop.last }}
    {% endfor -%}
{%- endmacro %}

{#- Every counter of relation alias `c`, comma-terminated, for a scorecard's select list. -#}
{% macro scorecard_counter_columns(c='counters') -%}
    {% for counter in scorecard_counters() -%}
        {{ c }}.{{ counter }},
    {% endfor -%}
{%- endmacro %}

{#- Counters allocated to successor units: each summed with its allocation weight (split units
    give fractional counters, kept to 6 decimals). -#}
{% macro scorecard_weighted_sums(weight='allocation_weight') -%}
    {% for counter in scorecard_counters() -%}
        round(sum({{ counter }} * {{ weight }}), 6)::numeric(18, 6) as {{ counter }}{{ "," if not loop.last }}
    {% endfor -%}
{%- endmacro %}

{#- The TDGQ methodology row valid on a period's last day, as `indicators`: the rule of
    motcua.scoring.indicators.indicators_for (a period is scored with the version in force at
    its end, so 2022, whose version took effect on 1 August, is scored with 766-2022). -#}
{% macro join_indicator_valid_on(period_end) -%}
    left join {{ ref('stg_reference__decision_766_indicators') }} as indicators
        on
            indicators.indicator_code = 'TDGQ'
            and {{ period_end }} >= indicators.valid_from
            and {{ period_end }} <= coalesce(indicators.valid_to, date '9999-12-31')
{%- endmacro %}

{#- Roll monthly counters up to a longer period (quarter, year) without averaging: flows are
    summed, carried_over is the first month's and the in-progress stocks the last month's. A
    month without a row had nothing active, so its stocks are 0 and the first/last present
    month gives the right value. -#}
{% macro scorecard_rollup_columns() -%}
    (array_agg(carried_over_count order by period_month asc))[1] as carried_over_count,
    {% for counter in scorecard_flow_counters() -%}
        sum({{ counter }})::bigint as {{ counter }},
    {% endfor -%}
    {% for counter in scorecard_stock_counters() -%}
        (array_agg({{ counter }} order by period_month desc))[1] as {{ counter }}{{ "," if not loop.last }}
    {% endfor -%}
{%- endmacro %}
