{{ config(materialized='table') }}
-- Motcua's own counters for the Decision 766 indicators that dossiers can tell, per unit (the
-- competent unit at receipt) and period (month, quarter, year), in the shape the scoring engine takes.
-- Each dossier received in a period is judged at the period's end (macros/own_766_counters.sql),
-- settled meaning its first final status: result ready, rejected, withdrawn or stopped.
-- Only dossiers received by a unit while the portal lists it count: a 2025 commune that kept
-- the code of a pre-2025 commune is a new portal unit, and the old commune's dossiers are not
-- its own (they would swell the 2025 commune's year 2025 counters).
with

statuses as (

    select * from {{ ref('stg_reference__dossier_statuses') }}

),

portal_units as (

    select
        gso_unit_code,
        valid_from,
        valid_to
    from {{ ref('portal_unit_map') }}
    where gso_unit_code is not null

),

latest as (

    select
        *,
        {{ vn_local('received_at') }} as received_local,
        -- Counted at the unit that received it, as the periods of receipt are: a dossier an
        -- abolished unit handed over at the 2025 reform stays in that unit's periods.
        coalesce(handed_over_from_unit_code, competent_unit_code) as credited_unit_code,
        case
            when handed_over_from_unit_code is not null then handed_over_from_unit_level else competent_unit_level
        end as credited_unit_level
    from {{ ref('int_dossiers_latest_versions') }}

),

dossiers as (

    select
        latest.*,
        {{ dossier_closed_at('latest') }} as settled_at
    from latest
    where exists (
        select 1
        from portal_units
        where
            portal_units.gso_unit_code = latest.credited_unit_code
            and {{ valid_on('portal_units', 'latest.received_local::date') }}
    )

),

periods as (

    select
        dossiers.*,
        p.period_type,
        p.period,
        {{ vn_instant('p.period_end_local') }} as period_end
    from dossiers
    cross join lateral (
        values
        (
            'month',
            to_char(dossiers.received_local, 'YYYY-MM'),
            date_trunc('month', dossiers.received_local) + interval '1 month'
        ),
        (
            'quarter',
            to_char(dossiers.received_local, 'YYYY') || '-Q' || extract(quarter from dossiers.received_local),
            date_trunc('quarter', dossiers.received_local) + interval '3 months'
        ),
        (
            'year',
            to_char(dossiers.received_local, 'YYYY'),
            date_trunc('year', dossiers.received_local) + interval '1 year'
        )
    ) as p (period_type, period, period_end_local)

),

{{ own_766_indicator_counters('periods', ['period_type', 'period']) }}

select * from final
