-- Bảng điểm năm (yearly scorecard) per unit: monthly counters rolled up to the year and scored
-- with the same formulas (macros/scorecard_rollup.sql).
{{ scorecard_rollup('year') }}
