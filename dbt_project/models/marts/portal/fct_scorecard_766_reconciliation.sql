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
    where score_source = 'own' and as_of_date is null

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
        {{ reconciliation_766_columns('official', 'own') }}
    from official
    left join own
        on
            official.gso_unit_code = own.unit_code
            and official.period = own.period
            and official.indicator_code = own.indicator_code

)

select * from final
