-- Both online level schemes partition the procedures in force: levels 1-4 add up to the total,
-- and so do full + partial + none.
select
    period_month,
    authority_level,
    procedures_in_force_count
from {{ ref('fct_procedures_monthly') }}
where
    online_level_1_count + online_level_2_count + online_level_3_count + online_level_4_count
    <> procedures_in_force_count
    or full_online_count + partial_online_count + not_online_count <> procedures_in_force_count
