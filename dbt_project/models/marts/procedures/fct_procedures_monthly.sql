-- Thủ tục đang có hiệu lực (procedures in force) per authority level and month, by online
-- level in both schemes, and the processing-time reductions (cắt giảm thời gian giải quyết)
-- that took effect in the month. Every level appears in every month, with zeros when it has
-- no procedures (district-level ones end on 1 July 2025).
-- Checked against a reported figure (Nam Đàn, 2022: 451 procedures online, 143 level 4, 52
-- level 3, 256 level 2). Measured on the simulator's catalogue with its full history landed
-- (versions since 2016), December 2022, all levels: 429 in force, 420 at levels 2-4 (level 4:
-- 134, level 3: 52, level 2: 234, level 1: 9); district 268 (86 / 34 / 148), commune 105 (30 /
-- 13 / 62), province 56. The level-3 count matches, levels 4 and 2 are 6-9 % lower and the total
-- 7 % lower than the report (the simulator draws the mix per procedure). Processing-time
-- reductions: 65 district-level versions (34 of them in 2021-2022; the report: 73 of 272
-- district procedures cut), 19 commune, 8 province. On 1 July 2025 the district level drops to
-- 0 and the commune level rises from 105 to 369 (264 transferred). A catalogue pulled only by the
-- daily runs (first pull 2025-06-01) holds each record at its version of that day only, so a
-- month before a record's last change misses it: `motcua catalogue-backfill --from
-- 2016-01-01` lands the versions in between (tests/integration/test_catalogue_backfill.py).
with

in_force as (

    select * from {{ ref('int_procedures_in_force_monthly') }}

),

versions as (

    select * from {{ ref('int_procedures_versions_sequenced') }}

),

months as (

    select distinct
        period_month,
        judged_on
    from in_force

),

levels as (

    select distinct authority_level
    from versions

),

counts as (

    select
        period_month,
        authority_level,
        count(*) as procedures_in_force_count,
        {{ online_level_counts() }}
    from in_force
    group by period_month, authority_level

),

-- A reduction counts in the month its version took effect, on the version that made it, even
-- when a later version restated it the same day (an abolition or transfer repeats the last
-- valid_from, which leaves the reducing version an empty interval).
reductions as (

    select
        date_trunc('month', effective_from)::date as period_month,
        authority_level,
        count(*) as processing_time_reductions_count,
        avg(previous_statutory_working_days) as reduced_from_working_days_avg,
        avg(statutory_working_days) as reduced_to_working_days_avg,
        sum(previous_statutory_working_days - statutory_working_days) as working_days_cut_total
    from versions
    where is_processing_time_reduced
    group by date_trunc('month', effective_from)::date, authority_level

),

final as (

    select
        months.period_month,
        levels.authority_level,
        months.judged_on,
        coalesce(counts.procedures_in_force_count, 0) as procedures_in_force_count,
        coalesce(counts.online_level_1_count, 0) as online_level_1_count,
        coalesce(counts.online_level_2_count, 0) as online_level_2_count,
        coalesce(counts.online_level_3_count, 0) as online_level_3_count,
        coalesce(counts.online_level_4_count, 0) as online_level_4_count,
        coalesce(counts.online_level_2_to_4_count, 0) as online_level_2_to_4_count,
        coalesce(counts.full_online_count, 0) as full_online_count,
        coalesce(counts.partial_online_count, 0) as partial_online_count,
        coalesce(counts.not_online_count, 0) as not_online_count,
        round(
            (counts.full_online_count + counts.partial_online_count)::numeric
            / nullif(counts.procedures_in_force_count, 0),
            6
        ) as online_service_share,
        coalesce(reductions.processing_time_reductions_count, 0) as processing_time_reductions_count,
        round(reductions.reduced_from_working_days_avg, 2) as reduced_from_working_days_avg,
        round(reductions.reduced_to_working_days_avg, 2) as reduced_to_working_days_avg,
        coalesce(reductions.working_days_cut_total, 0) as working_days_cut_total
    from months
    cross join levels
    left join counts
        on
            months.period_month = counts.period_month
            and levels.authority_level = counts.authority_level
    left join reductions
        on
            months.period_month = reductions.period_month
            and levels.authority_level = reductions.authority_level

)

select * from final
