-- Hạn giải quyết theo quy định (statutory due date) and số ngày làm việc giải quyết (working
-- days taken) of each dossier, by the rules of simulator/src/motcua_simulator/workdays/deadlines.py:
--   * the clock starts at tiếp nhận (intake: the first status 2; an online submission waits in
--     the queue until an officer receives it), or at received_at when there is no status 2;
--   * only office hours of working days count; after hours the clock starts next opening;
--   * statutory_working_days x one working day (8 working hours, var working_day_seconds);
--   * a supplement request (yêu cầu bổ sung) stops the clock until the supplement arrives.
-- Everything is done on "working offsets" (see macros/working_time.sql).
{{ dossier_deadlines(ref('int_dossiers_latest_versions')) }}
