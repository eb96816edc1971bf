-- Satisfied + normal + unsatisfied = ratings in every unit-month, and the months together hold
-- every rating of fct_ratings exactly once.
with

monthly as (

    select sum(ratings_count) as monthly_total
    from {{ ref('fct_ratings_monthly') }}

),

ratings as (

    select count(*) as rating_total
    from {{ ref('fct_ratings') }}

),

failures as (

    select
        'split' as failure,
        unit_code,
        period_month
    from {{ ref('fct_ratings_monthly') }}
    where satisfied_count + normal_count + unsatisfied_count <> ratings_count

    union all

    select
        'total' as failure,
        null as unit_code,
        null as period_month
    from monthly
    cross join ratings
    where monthly.monthly_total <> ratings.rating_total

)

select * from failures
