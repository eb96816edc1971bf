-- Biểu 06 counters per scorecard unit and month, summed over fields, at three levels:
--   unit      the receiving unit's own one-stop desk (commune, or district before the reform);
--   district  a district's desk plus its communes, before 1 July 2025 (districts were abolished);
--   province  every unit of the province (var province_code: Nghệ An, 40).
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
    left join units on periods.receiving_unit_key = units.unit_key

),

levelled as (

    select
        'unit' as aggregation_level,
        placed.receiving_unit_key as scorecard_unit_key,
        placed.receiving_unit_code as scorecard_unit_code,
        placed.receiving_unit_level as scorecard_unit_level,
        placed.*
    from placed

    union all

    select
        'district' as aggregation_level,
        placed.district_unit_key as scorecard_unit_key,
        placed.district_unit_code as scorecard_unit_code,
        'district' as scorecard_unit_level,
        placed.*
    from placed
    where placed.district_unit_key is not null and placed.period_month < {{ reform_date() }}

    union all

    select
        'province' as aggregation_level,
        {{ province_code() }} as scorecard_unit_key,
        {{ province_code() }} as scorecard_unit_code,
        'province' as scorecard_unit_level,
        placed.*
    from placed

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
