-- Bảng điểm năm (yearly scorecard) per unit: monthly counters rolled up to the year and scored
-- with the same formulas (macros/scorecard_rollup.sql).
-- depends_on: {{ ref('fct_dossier_periods_monthly') }}
{{ scorecard_rollup('year') }}
