-- Thủ tục thuộc thẩm quyền của đơn vị (procedures a unit handles) per unit and month. The
-- catalogue is province-wide per authority level; a unit handles the levels its own level
-- gives it: a district (until 30 June 2025) the district-level procedures, a commune of that
-- time the commune-level ones, and a 2025 commune (two-level local government, from 1 July
-- 2025) both the commune-level and the remaining district-level ones. A code in force at both
-- levels counts once, as its commune-level record. Counted per level set first, then joined
-- to the units, because every unit of a set handles the same procedures.
with

in_force as (

    select * from {{ ref('int_procedures_in_force_monthly') }}

),

units as (

    select
        unit_key,
        unit_code,
        unit_level,
        valid_from,
        valid_to,
        case
            when unit_level = 'district' then 'district_pre_2025'
            when valid_from >= {{ reform_date() }} then 'commune_2025'
            else 'commune_pre_2025'
        end as level_set
    from {{ ref('dim_units') }}
    -- A province agency handles some of the province-level procedures, but the catalogue does
    -- not say which (no agency per record): agencies have no rows here rather than wrong ones.
    where unit_level != 'agency'

),

level_sets (level_set, authority_level) as (

    values
    ('district_pre_2025', 'district'),
    ('commune_pre_2025', 'commune'),
    ('commune_2025', 'commune'),
    ('commune_2025', 'district')

),

handled as (

    select distinct on (level_sets.level_set, in_force.period_month, in_force.procedure_code)
        level_sets.level_set,
        in_force.period_month,
        in_force.judged_on,
        in_force.procedure_code,
        in_force.authority_level,
        in_force.online_level_legacy,
        in_force.online_service_type
    from in_force
    inner join level_sets
        on in_force.authority_level = level_sets.authority_level
    order by
        level_sets.level_set asc,
        in_force.period_month asc,
        in_force.procedure_code asc,
        in_force.authority_level = 'commune' desc

),

months as (

    select distinct
        period_month,
        judged_on
    from in_force

),

set_counts as (

    select
        level_set,
        period_month,
        count(*) as procedures_in_force_count,
        count(*) filter (where authority_level = 'commune') as commune_level_count,
        count(*) filter (where authority_level = 'district') as district_level_count,
        {{ online_level_counts() }}
    from handled
    group by level_set, period_month

),

final as (

    select
        units.unit_key,
        units.unit_code,
        units.unit_level,
        units.level_set,
        months.period_month,
        months.judged_on,
        coalesce(set_counts.procedures_in_force_count, 0) as procedures_in_force_count,
        coalesce(set_counts.commune_level_count, 0) as commune_level_count,
        coalesce(set_counts.district_level_count, 0) as district_level_count,
        coalesce(set_counts.online_level_1_count, 0) as online_level_1_count,
        coalesce(set_counts.online_level_2_count, 0) as online_level_2_count,
        coalesce(set_counts.online_level_3_count, 0) as online_level_3_count,
        coalesce(set_counts.online_level_4_count, 0) as online_level_4_count,
        coalesce(set_counts.online_level_2_to_4_count, 0) as online_level_2_to_4_count,
        coalesce(set_counts.full_online_count, 0) as full_online_count,
        coalesce(set_counts.partial_online_count, 0) as partial_online_count,
        coalesce(set_counts.not_online_count, 0) as not_online_count
    from units
    inner join months
        on {{ valid_on('units', 'months.judged_on') }}
    left join set_counts
        on
            units.level_set = set_counts.level_set
            and months.period_month = set_counts.period_month

)

select * from final
