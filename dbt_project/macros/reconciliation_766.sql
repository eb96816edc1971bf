{#- The comparison columns of a Decision 766 reconciliation (đối chiếu điểm): one owner for the
    closed periods' mart (fct_scorecard_766_reconciliation) and the running periods' snapshots
    (fct_scorecard_766_reconciliation_to_date). `official` has fct_official_scores_766's columns
    (official_points, recomputed_points, recompute_difference, ratio_percent, indicator_code,
    is_estimate); `own` is the engine's own rows (numerator, denominator, ratio_percent, points,
    is_estimate), null where the dossiers cannot tell the indicator. -#}
{% macro reconciliation_766_columns(official, own) -%}
    {{ official }}.official_points,
    {{ official }}.recomputed_points,
    {{ official }}.recompute_difference,
    -- Estimates (ONLINE and TTTT before 2025) have no public formula: their difference is not
    -- checked. Indicators the portal's counters cannot recompute have no difference at all.
    case when not {{ official }}.is_estimate then {{ official }}.recompute_difference end as checked_recompute_difference,
    {{ official }}.ratio_percent as official_rate_percent,
    {{ own }}.numerator as own_numerator,
    {{ own }}.denominator as own_denominator,
    {{ own }}.ratio_percent as own_rate_percent,
    {{ own }}.points as own_points,
    {{ own }}.points - {{ official }}.official_points as own_points_difference,
    {{ own }}.ratio_percent - {{ official }}.ratio_percent as own_rate_difference_pp,
    case
        when {{ official }}.indicator_code = 'TDGQ' then abs({{ own }}.ratio_percent - {{ official }}.ratio_percent)
    end as on_time_rate_gap_pp,
    {{ official }}.is_estimate or coalesce({{ own }}.is_estimate, false) as is_estimate
{%- endmacro %}

{#- The portal's side of a reconciliation from the scoring step's portal rows `scores`: the
    engine's points as recomputed_points and their difference to the official points (recomputed
    minus official). One owner for fct_official_scores_766 and the running periods' snapshots. -#}
{% macro official_766_recomputed_columns(scores) -%}
    {{ scores }}.points as recomputed_points,
    {{ scores }}.points - {{ scores }}.official_points as recompute_difference
{%- endmacro %}
