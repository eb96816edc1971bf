{#- The status codes that carry lifecycle flag `flag` (a boolean column of
    stg_reference__dossier_statuses: ends_without_result, has_result, pauses_clock), as a
    subquery for `in`. `statuses` names the calling model's relation of that model, so the
    codes come from the seed that owns them and `x in (...)` / `x not in (...)` keep the
    null semantics of a literal list. -#}
{% macro statuses_with(flag, statuses='statuses') -%}
    (select {{ statuses }}.status_code from {{ statuses }} where {{ statuses }}.{{ flag }})
{%- endmacro %}

{#- When dossier `d` (a relation alias with completed_at, status_code, status_history and
    updated_at) left the process: its result (completed_at), or else, when its status ends it
    without a result (rejected at intake, withdrawn or stopped: ends_without_result), the first
    such status in its history. Its last change (updated_at) may come later, so it only stands
    in when the history lacks the status. Null while the dossier is open. `statuses` as in
    statuses_with. -#}
{% macro dossier_closed_at(d, statuses='statuses') -%}
    coalesce(
        {{ d }}.completed_at,
        case
            when {{ d }}.status_code in {{ statuses_with('ends_without_result', statuses) }} then coalesce(
                (
                    select min((history.status_event ->> 'at')::timestamptz)
                    from jsonb_array_elements({{ d }}.status_history) as history (status_event)
                    where
                        (history.status_event ->> 'status')::int
                        in {{ statuses_with('ends_without_result', statuses) }}
                ),
                {{ d }}.updated_at
            )
        end
    )
{%- endmacro %}
