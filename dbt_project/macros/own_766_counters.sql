{#- Motcua's own Decision 766 counters from dossiers: the one place that judges a dossier for the
    portal's indicators and counts it, shared by the closed periods' counters
    (int_scorecard_766_own_counters) and the running periods' to-date counters
    (int_scorecard_766_own_counters_to_date).

    Renders three CTEs, judged, counted and final, over a CTE `relation` holding one row per
    dossier and period with: the `keys` columns, period_end (the instant the period is judged
    at), credited_unit_code, credited_unit_level (the unit the dossier counts at), completed_at, settled_at (its first final
    status), appointment_due_at, has_electronic_result, is_digitised, channel_code, fee_amount,
    is_paid_online. `final` has one row per keys x unit x indicator, the scoring engine's shape.

    A dossier is judged at the period's end, as the portal does (tiến độ giải quyết, TDGQ):
    settled by then no later than its appointment, or still open and not yet due, counts as on
    time; everything else is overdue. -#}
{% macro own_766_indicator_counters(relation, keys) -%}
judged as (

    select
        {% for key in keys -%}
            {{ key }},
        {% endfor -%}
        credited_unit_code as unit_code,
        case when credited_unit_level = 'commune' then 'commune' else 'agency' end as child_group,
        coalesce(completed_at < period_end, false) as is_result_ready,
        coalesce(settled_at < period_end and settled_at <= appointment_due_at, false)
        or (
            (settled_at is null or settled_at >= period_end)
            and appointment_due_at >= period_end
        ) as is_on_time,
        has_electronic_result,
        is_digitised,
        channel_code = 2 as is_online,
        fee_amount > 0 as has_fee,
        fee_amount > 0 and is_paid_online as is_fee_paid_online
    from {{ relation }}

),

counted as (

    select
        {% for key in keys -%}
            {{ key }},
        {% endfor -%}
        unit_code,
        child_group,
        count(*) as received,
        count(*) filter (where is_on_time) as on_time,
        count(*) filter (where is_result_ready) as result_ready,
        count(*) filter (where is_result_ready and has_electronic_result) as ready_with_e_result,
        count(*) filter (where is_digitised) as digitised,
        count(*) filter (where is_online) as online,
        count(*) filter (where has_fee) as with_fee,
        count(*) filter (where is_fee_paid_online) as paid_online
    from judged
    group by {% for key in keys %}{{ key }}, {% endfor %}unit_code, child_group

),

final as (

    -- One row per indicator (the engine's shape): unpivot the counters.
    select
        {% for key in keys -%}
            counted.{{ key }},
        {% endfor -%}
        counted.unit_code,
        counted.child_group,
        indicators.indicator_code,
        indicators.numerator,
        indicators.denominator
    from counted
    cross join lateral (
        values
        ('TDGQ', counted.on_time, counted.received),
        ('ORIGINAL_RESULT_AVAILABLE', counted.ready_with_e_result, counted.result_ready),
        ('SO_HOA_GIAY_TO_GIAI_QUYET', counted.digitised, counted.received),
        ('ONLINE', counted.online, counted.received),
        ('TTTT', counted.paid_online, counted.with_fee)
    ) as indicators (indicator_code, numerator, denominator)

)
{%- endmacro %}

{#- The first day of a portal period label (YYYY, YYYY-Qn or YYYY-MM), as a date. -#}
{% macro portal_period_start(period) -%}
    case
        when {{ period }} ~ '^\d{4}$' then make_date({{ period }}::int, 1, 1)
        when {{ period }} ~ '^\d{4}-Q[1-4]$'
            then make_date(left({{ period }}, 4)::int, 3 * right({{ period }}, 1)::int - 2, 1)
        else to_date({{ period }} || '-01', 'YYYY-MM-DD')
    end
{%- endmacro %}

{#- The first day after a portal period of type `period_type` that starts on `period_start`. -#}
{% macro portal_period_end(period_type, period_start) -%}
    ({{ period_start }} + case {{ period_type }}
        when 'year' then interval '1 year'
        when 'quarter' then interval '3 months'
        else interval '1 month'
    end)::date
{%- endmacro %}
