-- Biểu 06 counters per scorecard unit and month, summed over fields, at three levels:
--   unit      the unit itself (commune, district before the reform, or province agency);
--   district  a district's desk plus its communes, before 1 July 2025 (districts were abolished);
--   province  every unit of the province, its agencies (sở, ngành, the service centre) with its
--             communes (var province_code: Nghệ An, 40).
with

periods as (

    select * from {{ ref('fct_dossier_periods_monthly') }}

),

units as (

    select * from {{ ref('dim_units') }}

),

placed as (

    select
        periods.*,
        -- The district a row rolls up to: the unit itself for a district desk, the parent for
        -- a commune that existed before the reform; none for a 2025 commune.
        case
            when units.unit_level = 'district' then units.unit_key
            when units.unit_level = 'commune' and units.valid_to = {{ reform_date() }}
                then units.parent_unit_code || ':origin'
        end as district_unit_key,
        case
            when units.unit_level = 'district' then units.unit_code
            when units.unit_level = 'commune' and units.valid_to = {{ reform_date() }} then units.parent_unit_code
        end as district_unit_code
    from periods
    left join units on periods.unit_key = units.unit_key

),

-- Each row once per level it counts at, from one read of `placed`: a CTE read three times (a
-- union per level) is materialised whole, and a filter on the months (an incremental scorecard
-- build's) would then not reach fct_dossier_periods_monthly's index.
levelled as (

    select
        levels.aggregation_level,
        levels.scorecard_unit_key,
        levels.scorecard_unit_code,
        levels.scorecard_unit_level,
        placed.*
    from placed
    cross join
        lateral (
            values
            ('unit', placed.unit_key, placed.unit_code, placed.unit_level),
            ('district', placed.district_unit_key, placed.district_unit_code, 'district'),
            ('province', {{ province_code() }}, {{ province_code() }}, 'province')
        ) as levels (aggregation_level, scorecard_unit_key, scorecard_unit_code, scorecard_unit_level)
    where
        levels.aggregation_level != 'district'
        or (placed.district_unit_key is not null and placed.period_month < {{ reform_date() }})

),

final as (

    select
        aggregation_level,
        scorecard_unit_key,
        scorecard_unit_code,
        scorecard_unit_level,
        period_month,
        {{ scorecard_counter_sums() }},
        max(built_at_load_seq) as built_at_load_seq
    from levelled
    group by aggregation_level, scorecard_unit_key, scorecard_unit_code, scorecard_unit_level, period_month

)

select * from final
