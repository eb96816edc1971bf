-- Which version of each catalogue record is in force (đang có hiệu lực) in each month, judged
-- on the month's last day, or on the catalogue's as-of date for the current month. Months run
-- from the first version's month to the as-of month. The as-of instant is the end of the
-- latest loaded catalogue pull (the catalogue changes rarely, so its newest change can be
-- months old), or the newest change when there is no ledger row.
with

versions as (

    select * from {{ ref('int_procedures_versions_sequenced') }}
    where is_effective

),

catalogue_pulls as (

    select max(batches.interval_end) as last_pull_end_at
    from {{ ref('stg_catalogue__batches') }} as batches
    where batches.batch_status = 'loaded'

),

catalogue_changes as (

    select max(all_versions.updated_at) as last_change_at
    from {{ ref('int_procedures_versions_sequenced') }} as all_versions

),

as_of as (

    select
        {{ vn_date('greatest(catalogue_pulls.last_pull_end_at, catalogue_changes.last_change_at)') }}
            as as_of_date
    from catalogue_pulls
    cross join catalogue_changes

),

months as (

    select
        month_series.period_month::date as period_month,
        least(
            (month_series.period_month + interval '1 month' - interval '1 day')::date,
            as_of.as_of_date
        ) as judged_on
    from as_of
    cross join lateral generate_series(
        (select date_trunc('month', min(versions.effective_from)) from versions),
        date_trunc('month', as_of.as_of_date),
        interval '1 month'
    ) as month_series (period_month)

),

final as (

    select
        months.period_month,
        months.judged_on,
        versions.procedure_version_key,
        versions.procedure_key,
        versions.procedure_code,
        versions.authority_level,
        versions.procedure_version,
        versions.field_code,
        versions.online_level_legacy,
        versions.online_service_type,
        versions.statutory_working_days,
        versions.fee_amount
    from months
    inner join versions
        on
            months.judged_on >= versions.effective_from
            and (versions.effective_to is null or months.judged_on < versions.effective_to)

)

select * from final
