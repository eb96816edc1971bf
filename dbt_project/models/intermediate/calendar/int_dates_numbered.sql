-- Every date the holiday table covers, classified as a working day or not, with a running
-- count of working days so working-day arithmetic becomes a subtraction. Same rule as
-- motcua_simulator.workdays.calendar: a compensatory Saturday works; Monday-Friday works unless listed
-- as a day off.
with

days as (

    select generated_day::date as date_day
    from generate_series(date '2016-01-01', date '2027-12-31', interval '1 day') as generated_day

),

holidays as (

    select * from {{ ref('stg_reference__holidays') }}

),

classified as (

    select
        days.date_day,
        extract(isodow from days.date_day) >= 6 as is_weekend,
        holidays.holiday_kind,
        holidays.holiday_name_vi,
        holidays.holiday_name_en,
        coalesce(holidays.holiday_kind = 'compensatory_workday', false) as is_compensatory_workday,
        case
            when holidays.holiday_kind = 'compensatory_workday' then true
            when holidays.is_day_off then false
            else extract(isodow from days.date_day) <= 5
        end as is_working_day
    from days
    left join holidays on days.date_day = holidays.holiday_date

),

final as (

    select
        date_day,
        is_weekend,
        holiday_kind,
        holiday_name_vi,
        holiday_name_en,
        is_compensatory_workday,
        is_working_day,
        -- Working days up to and including this date; on a day off it equals the previous
        -- working day's number.
        sum(case when is_working_day then 1 else 0 end) over (
            order by date_day rows between unbounded preceding and current row
        ) as working_day_number
    from classified

)

select * from final
