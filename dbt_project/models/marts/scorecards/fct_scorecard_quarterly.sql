-- Bảng điểm quý (quarterly scorecard) per unit: monthly counters rolled up to the quarter and scored
-- with the same formulas (macros/scorecard_rollup.sql).
{{ scorecard_rollup('quarter') }}
