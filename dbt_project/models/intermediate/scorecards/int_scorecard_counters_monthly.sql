-- Biểu 06 counters per scorecard unit and month, summed over fields, at three levels:
--   unit      the receiving unit's own one-stop desk (commune, or district before the reform);
--   district  a district's desk plus its communes, before 1 July 2025 (districts were abolished);
--   province  every unit of Nghe An (40).
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
            when units.unit_level = 'commune' and units.valid_to = date '2025-07-01'
                then units.parent_unit_code || ':origin'
        end as district_unit_key,
        case
            when units.unit_level = 'district' then units.unit_code
            when units.unit_level = 'commune' and units.valid_to = date '2025-07-01' then units.parent_unit_code
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
    where placed.district_unit_key is not null and placed.period_month < date '2025-07-01'

    union all

    select
        'province' as aggregation_level,
        '40' as scorecard_unit_key,
        '40' as scorecard_unit_code,
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
        sum(carried_over_count)::bigint as carried_over_count,
        sum(received_count)::bigint as received_count,
        sum(received_online_count)::bigint as received_online_count,
        sum(received_direct_count)::bigint as received_direct_count,
        sum(received_postal_count)::bigint as received_postal_count,
        sum(settled_count)::bigint as settled_count,
        sum(settled_before_time_count)::bigint as settled_before_time_count,
        sum(settled_on_time_count)::bigint as settled_on_time_count,
        sum(settled_late_count)::bigint as settled_late_count,
        sum(rejected_or_withdrawn_count)::bigint as rejected_or_withdrawn_count,
        sum(received_digitised_count)::bigint as received_digitised_count,
        sum(received_with_fee_count)::bigint as received_with_fee_count,
        sum(received_paid_online_count)::bigint as received_paid_online_count,
        sum(settled_with_electronic_result_count)::bigint as settled_with_electronic_result_count,
        sum(settled_late_with_apology_count)::bigint as settled_late_with_apology_count,
        sum(in_progress_count)::bigint as in_progress_count,
        sum(in_progress_within_time_count)::bigint as in_progress_within_time_count,
        sum(in_progress_overdue_count)::bigint as in_progress_overdue_count
    from levelled
    group by aggregation_level, scorecard_unit_key, scorecard_unit_code, scorecard_unit_level, period_month

)

select * from final
