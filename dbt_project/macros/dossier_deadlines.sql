{#- Hạn giải quyết theo quy định (statutory due date) and working time taken of each dossier of
    `dossiers` (a relation or CTE with dossier_code, received_at, completed_at,
    statutory_working_days, status_history, supplement_requests), as one `with ... select`
    statement: the rules in docs/working_time.md
    (the header of int_dossiers_deadlines.sql sums them up). int_dossiers_deadlines applies it to every dossier; fct_dossiers
    to the dossiers a build re-derives, so an incremental build computes only theirs. -#}
{% macro dossier_deadlines(dossiers) -%}
with

dossiers as (

    select
        dossier_code,
        received_at,
        completed_at,
        statutory_working_days,
        status_history,
        supplement_requests
    from {{ dossiers }}

),

calendar as (

    select
        date_day,
        is_working_day,
        working_day_number
    from {{ ref('int_dates_numbered') }}

),

intakes as (

    select
        dossiers.dossier_code,
        min((history.status_event ->> 'at')::timestamptz) as intake_at
    from dossiers
    cross join lateral jsonb_array_elements(dossiers.status_history) as history (status_event)
    where (history.status_event ->> 'status')::int = 2
    group by dossiers.dossier_code

),

started as (

    select
        dossiers.dossier_code,
        dossiers.completed_at,
        coalesce(intakes.intake_at, dossiers.received_at) as clock_started_at,
        -- Rounded to the microsecond like the Python (ROUND_HALF_UP on microseconds).
        round(dossiers.statutory_working_days * {{ working_day_seconds() }}, 6) as required_seconds
    from dossiers
    left join intakes on dossiers.dossier_code = intakes.dossier_code

),

positioned as (

    select
        started.dossier_code,
        started.clock_started_at,
        started.completed_at,
        started.required_seconds,
        {{ working_offset('started.clock_started_at', 'start_day.working_day_number', 'start_day.is_working_day') }}
            as start_offset,
        {{ working_offset('started.completed_at', 'completed_day.working_day_number', 'completed_day.is_working_day') }}
            as completed_offset
    from started
    left join calendar as start_day
        on {{ vn_date('started.clock_started_at') }} = start_day.date_day
    left join calendar as completed_day
        on {{ vn_date('started.completed_at') }} = completed_day.date_day

),

pauses as (

    select
        dossiers.dossier_code,
        (requests.supplement_request ->> 'requested_at')::timestamptz as paused_from,
        (requests.supplement_request ->> 'received_at')::timestamptz as paused_until
    from dossiers
    cross join lateral jsonb_array_elements(dossiers.supplement_requests) as requests (supplement_request)

),

pause_offsets as (

    -- A pause still waiting for the applicant ends at "infinity" (1e12 s, far beyond the
    -- calendar): the clock is stopped, there is no deadline yet.
    select
        pauses.dossier_code,
        greatest(
            {{ working_offset('pauses.paused_from', 'from_day.working_day_number', 'from_day.is_working_day') }},
            positioned.start_offset
        ) as pause_start_offset,
        case
            when pauses.paused_until is null then 1e12
            else {{ working_offset('pauses.paused_until', 'until_day.working_day_number', 'until_day.is_working_day') }}
        end as pause_end_offset
    from pauses
    inner join positioned on pauses.dossier_code = positioned.dossier_code
    left join calendar as from_day
        on {{ vn_date('pauses.paused_from') }} = from_day.date_day
    left join calendar as until_day
        on {{ vn_date('pauses.paused_until') }} = until_day.date_day

),

pause_islands_flagged as (

    -- Overlapping requests count once: merge them into islands (gaps and islands).
    select
        dossier_code,
        pause_start_offset,
        greatest(pause_end_offset, pause_start_offset) as pause_end_offset,
        case
            when pause_start_offset <= max(greatest(pause_end_offset, pause_start_offset)) over (
                partition by dossier_code
                order by pause_start_offset, pause_end_offset
                rows between unbounded preceding and 1 preceding
            ) then 0
            else 1
        end as starts_island
    from pause_offsets

),

pause_islands_numbered as (

    select
        dossier_code,
        pause_start_offset,
        pause_end_offset,
        sum(starts_island) over (
            partition by dossier_code
            order by pause_start_offset, pause_end_offset
            rows between unbounded preceding and current row
        ) as island_number
    from pause_islands_flagged

),

pause_islands as (

    select
        dossier_code,
        island_number,
        min(pause_start_offset) as island_start_offset,
        max(pause_end_offset) as island_end_offset,
        max(pause_end_offset) - min(pause_start_offset) as paused_seconds
    from pause_islands_numbered
    group by dossier_code, island_number

),

pause_islands_timed as (

    -- Running (unpaused) working time already used when each pause begins. A pause only moves
    -- the deadline when it begins before the clock has run out.
    select
        pause_islands.dossier_code,
        pause_islands.island_start_offset,
        pause_islands.island_end_offset,
        pause_islands.paused_seconds,
        pause_islands.island_start_offset - positioned.start_offset - coalesce(sum(pause_islands.paused_seconds) over (
            partition by pause_islands.dossier_code
            order by pause_islands.island_start_offset
            rows between unbounded preceding and 1 preceding
        ), 0) as running_seconds_before
    from pause_islands
    inner join positioned on pause_islands.dossier_code = positioned.dossier_code

),

pause_totals as (

    select
        pause_islands_timed.dossier_code,
        coalesce(sum(pause_islands_timed.paused_seconds) filter (
            where pause_islands_timed.running_seconds_before < positioned.required_seconds
        ), 0) as deadline_paused_seconds,
        coalesce(sum(greatest(
            least(pause_islands_timed.island_end_offset, positioned.completed_offset)
            - pause_islands_timed.island_start_offset,
            0
        )), 0) as paused_seconds_before_completion
    from pause_islands_timed
    inner join positioned on pause_islands_timed.dossier_code = positioned.dossier_code
    group by pause_islands_timed.dossier_code

),

due_offsets as (

    select
        positioned.dossier_code,
        positioned.clock_started_at,
        positioned.completed_at,
        positioned.start_offset,
        positioned.completed_offset,
        positioned.required_seconds,
        coalesce(pause_totals.deadline_paused_seconds, 0) as deadline_paused_seconds,
        coalesce(pause_totals.paused_seconds_before_completion, 0) as paused_seconds_before_completion,
        positioned.start_offset + positioned.required_seconds
        + coalesce(pause_totals.deadline_paused_seconds, 0) as due_offset
    from positioned
    left join pause_totals on positioned.dossier_code = pause_totals.dossier_code

),

final as (

    select
        due_offsets.dossier_code,
        due_offsets.clock_started_at,
        {{ instant_at_office_seconds(
            'counting_day.date_day',
            'due_offsets.start_offset - ' ~ start_day_index('due_offsets.start_offset') ~ ' * ' ~ working_day_seconds(),
            closing_inclusive=false
        ) }} as counting_started_at,
        -- Zero required time is due when counting starts (the Python returns the first running
        -- instant); otherwise the instant the clock reaches the required working time.
        case
            when due_offsets.due_offset >= 1e11 then null
            when due_offsets.required_seconds = 0
                then {{ instant_at_office_seconds(
                    'counting_day.date_day',
                    'due_offsets.start_offset - ' ~ start_day_index('due_offsets.start_offset') ~ ' * ' ~ working_day_seconds(),
                    closing_inclusive=false
                ) }}
            else {{ instant_at_office_seconds(
                'due_day.date_day',
                'due_offsets.due_offset - ' ~ due_day_index('due_offsets.due_offset') ~ ' * ' ~ working_day_seconds()
            ) }}
        end as statutory_due_at,
        due_offsets.due_offset >= 1e11 as is_clock_paused,
        (case
            when due_offsets.due_offset < 1e11 then round(due_offsets.deadline_paused_seconds / 3600.0, 4)
        end)::numeric(14, 4) as paused_working_hours,
        round(
            (due_offsets.completed_offset - due_offsets.start_offset - due_offsets.paused_seconds_before_completion)
            / 3600.0,
            4
        )::numeric(14, 4) as working_hours_taken,
        round(
            (due_offsets.completed_offset - due_offsets.start_offset - due_offsets.paused_seconds_before_completion)
            / {{ working_day_seconds() }}::numeric,
            4
        )::numeric(14, 4) as working_days_taken
    from due_offsets
    left join calendar as counting_day
        on
            {{ start_day_index('due_offsets.start_offset') }} + 1 = counting_day.working_day_number
            and counting_day.is_working_day
    left join calendar as due_day
        on
            {{ due_day_index('due_offsets.due_offset') }} + 1 = due_day.working_day_number
            and due_day.is_working_day
            and due_offsets.due_offset < 1e11

)

select * from final
{%- endmacro %}
