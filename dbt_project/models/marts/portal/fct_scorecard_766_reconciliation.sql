-- Đối chiếu điểm (reconciliation): per unit, period and indicator, the portal's official
-- points, the points recomputed from the portal's counters, and the points from Motcua's own
-- counters, with the differences. Only indicators Motcua can count from dossiers have an own
-- side; the others show the portal alone.
with

official as (

    select * from {{ ref('fct_official_scores_766') }}
    where known_indicator

),

own as (

    select * from {{ ref('stg_scoring__indicator_scores') }}
    where score_source = 'own'

),

final as (

    select
        official.province_code,
        official.period_type,
        official.period,
        official.portal_unit_code,
        official.gso_unit_code,
        official.child_group,
        official.methodology_version,
        official.indicator_code,
        official.group_code,
        official.official_points,
        official.recomputed_points,
        official.recompute_difference,
        -- Estimates (ONLINE and TTTT before 2025) have no public formula: their difference is not
        -- checked. Indicators the portal's counters cannot recompute have no difference at all.
        case when not official.is_estimate then official.recompute_difference end as checked_recompute_difference,
        official.ratio_percent as official_rate_percent,
        own.numerator as own_numerator,
        own.denominator as own_denominator,
        own.ratio_percent as own_rate_percent,
        own.points as own_points,
        own.points - official.official_points as own_points_difference,
        own.ratio_percent - official.ratio_percent as own_rate_difference_pp,
        case
            when official.indicator_code = 'TDGQ' then abs(own.ratio_percent - official.ratio_percent)
        end as on_time_rate_gap_pp,
        official.is_estimate or coalesce(own.is_estimate, false) as is_estimate
    from official
    left join own
        on
            official.gso_unit_code = own.unit_code
            and official.period = own.period
            and official.indicator_code = own.indicator_code

)

select * from final
