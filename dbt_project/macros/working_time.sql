{#-
    Working-time arithmetic (thời gian làm việc) in SQL, the same rules as
    simulator/src/motcua_simulator/workdays/deadlines.py: office hours 07:00-11:30 (16 200 s) and 13:30-17:00
    (12 600 s), local time (var time_zone), one working day of 8 working hours (var
    working_day_seconds, see macros/domain.sql).

    Idea: map every instant to a "working offset", the working seconds elapsed since the start
    of the calendar (working days before its date x a working day + office seconds elapsed that day).
    Working time between two instants is then a subtraction, and a deadline is the inverse
    mapping of (offset of the start + required seconds + paused seconds). The calendar columns
    come from int_dates_numbered joined on the instant's local date.
-#}

{#- Local (Vietnam) wall-clock time of instant `ts`. -#}
{% macro vn_local(ts) -%}
    ({{ ts }} at time zone {{ vn_time_zone() }})
{%- endmacro %}

{#- Local (Vietnam) date of instant `ts`. -#}
{% macro vn_date(ts) -%}
    ({{ ts }} at time zone {{ vn_time_zone() }})::date
{%- endmacro %}

{#- The instant of local (Vietnam) wall-clock time `local_ts` (a timestamp without time zone). -#}
{% macro vn_instant(local_ts) -%}
    ({{ local_ts }} at time zone {{ vn_time_zone() }})
{%- endmacro %}

{#- Office seconds elapsed by the local wall-clock time of `ts` (0 before 07:00, a full working
    day from 17:00). -#}
{% macro office_seconds_elapsed(ts) -%}
    (least(greatest(extract(epoch from ({{ vn_local(ts) }})::time - time '07:00'), 0), 16200)
    + least(greatest(extract(epoch from ({{ vn_local(ts) }})::time - time '13:30'), 0), 12600))
{%- endmacro %}

{#- Working offset (seconds) of instant `ts`, given the calendar row of its local date. -#}
{% macro working_offset(ts, working_day_number, is_working_day) -%}
    (({{ working_day_number }} - case when {{ is_working_day }} then 1 else 0 end) * {{ working_day_seconds() }}
    + case when {{ is_working_day }} then {{ office_seconds_elapsed(ts) }} else 0 end)
{%- endmacro %}

{#- Index (0-based working day number) holding a deadline offset: an offset that falls exactly
    on a day's end belongs to that day (17:00), not to the next morning. -#}
{% macro due_day_index(offset) -%}
    (ceil(({{ offset }}) / {{ working_day_seconds() }}::numeric) - 1)::int
{%- endmacro %}

{#- Index holding the start of counting: an offset on a day's end starts the next morning. -#}
{% macro start_day_index(offset) -%}
    floor(({{ offset }}) / {{ working_day_seconds() }}::numeric)::int
{%- endmacro %}

{#- Local wall-clock instant on `day` for `remainder` working seconds into it, back to
    timestamptz. `closing_inclusive` puts 4.5 h at 11:30 (a deadline) instead of 13:30 (a start). -#}
{% macro instant_at_office_seconds(day, remainder, closing_inclusive=true) -%}
    (
        ({{ day }} + case
            when ({{ remainder }}) {{ '<=' if closing_inclusive else '<' }} 16200
                then time '07:00' + ({{ remainder }})::float8 * interval '1 second'
            else time '13:30' + (({{ remainder }}) - 16200)::float8 * interval '1 second'
        end) at time zone {{ vn_time_zone() }}
    )
{%- endmacro %}
