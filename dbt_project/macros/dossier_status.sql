{#- When dossier `d` (a relation alias with completed_at, status_code, status_history and
    updated_at) left the process: its result (completed_at), or else, when it was rejected at
    intake (3), withdrawn (7) or stopped (8), the first such status in its history. Its last
    change (updated_at) may come later, so it only stands in when the history lacks the
    status. Null while the dossier is open. -#}
{% macro dossier_closed_at(d) -%}
    coalesce(
        {{ d }}.completed_at,
        case
            when {{ d }}.status_code in (3, 7, 8) then coalesce(
                (
                    select min((history.status_event ->> 'at')::timestamptz)
                    from jsonb_array_elements({{ d }}.status_history) as history (status_event)
                    where (history.status_event ->> 'status')::int in (3, 7, 8)
                ),
                {{ d }}.updated_at
            )
        end
    )
{%- endmacro %}
