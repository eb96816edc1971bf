-- Ngày (date dimension) for BI and for joins from every fact on a local (Vietnam) date.
with

dates as (

    select * from {{ ref('int_dates_numbered') }}

),

final as (

    select
        date_day,
        extract(year from date_day)::int as year_number,
        extract(quarter from date_day)::int as quarter_number,
        extract(month from date_day)::int as month_number,
        date_trunc('month', date_day)::date as month_start_date,
        date_trunc('quarter', date_day)::date as quarter_start_date,
        extract(isoyear from date_day)::int as iso_year,
        extract(week from date_day)::int as iso_week,
        extract(isodow from date_day)::int as iso_weekday,
        is_weekend,
        coalesce(holiday_kind in ('statutory', 'lunar_new_year', 'substitute_day_off'), false) as is_holiday,
        case
            when holiday_kind in ('statutory', 'lunar_new_year', 'substitute_day_off') then holiday_name_vi
        end as holiday_name_vi,
        case
            when holiday_kind in ('statutory', 'lunar_new_year', 'substitute_day_off') then holiday_name_en
        end as holiday_name_en,
        holiday_kind,
        is_compensatory_workday,
        is_working_day,
        working_day_number,
        -- 1-based position among the month's working days (e.g. reporting on the 5th working day).
        case
            when is_working_day
                then sum(case when is_working_day then 1 else 0 end) over (
                    partition by date_trunc('month', date_day)
                    order by date_day rows between unbounded preceding and current row
                )
        end as working_day_of_month
    from dates

)

select * from final
