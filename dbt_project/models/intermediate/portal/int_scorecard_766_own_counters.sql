{{ config(materialized='table') }}
-- Motcua's own counters for the Decision 766 indicators that dossiers can tell, per receiving
-- unit and period (month, quarter, year), in the shape the scoring engine takes.
-- Each dossier received in a period is judged at the period's end, as the portal does
-- (tiến độ giải quyết, TDGQ): settled by then (its first final status: result ready, rejected,
-- withdrawn or stopped) no later than its appointment, or still open and not yet due, counts
-- as on time; everything else is overdue.
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
        {{ vn_local('received_at') }} as received_local
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
            portal_units.gso_unit_code = latest.receiving_unit_code
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

judged as (

    select
        period_type,
        period,
        receiving_unit_code as unit_code,
        case when receiving_unit_level = 'commune' then 'commune' else 'agency' end as child_group,
        coalesce(completed_at < period_end, false) as is_result_ready,
        coalesce(settled_at < period_end and settled_at <= appointment_due_at, false)
        or (
            (settled_at is null or settled_at >= period_end)
            and appointment_due_at >= period_end
        ) as is_on_time,
        has_electronic_result,
        is_digitised,
        channel_code = 2 as is_online,
        fee_amount > 0 as has_fee,
        fee_amount > 0 and is_paid_online as is_fee_paid_online
    from periods

),

counted as (

    select
        period_type,
        period,
        unit_code,
        child_group,
        count(*) as received,
        count(*) filter (where is_on_time) as on_time,
        count(*) filter (where is_result_ready) as result_ready,
        count(*) filter (where is_result_ready and has_electronic_result) as ready_with_e_result,
        count(*) filter (where is_digitised) as digitised,
        count(*) filter (where is_online) as online,
        count(*) filter (where has_fee) as with_fee,
        count(*) filter (where is_fee_paid_online) as paid_online
    from judged
    group by period_type, period, unit_code, child_group

),

final as (

    -- One row per indicator (the engine's shape): unpivot the counters.
    select
        counted.period_type,
        counted.period,
        counted.unit_code,
        counted.child_group,
        indicators.indicator_code,
        indicators.numerator,
        indicators.denominator
    from counted
    cross join lateral (
        values
        ('TDGQ', counted.on_time, counted.received),
        ('ORIGINAL_RESULT_AVAILABLE', counted.ready_with_e_result, counted.result_ready),
        ('SO_HOA_GIAY_TO_GIAI_QUYET', counted.digitised, counted.received),
        ('ONLINE', counted.online, counted.received),
        ('TTTT', counted.paid_online, counted.with_fee)
    ) as indicators (indicator_code, numerator, denominator)

)

select * from final
