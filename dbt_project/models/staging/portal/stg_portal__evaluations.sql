-- One row per landed version of a unit's Decision 766 evaluation (đánh giá 766), typed. The
-- portal is real time and keeps no history (a running year's scores change every day), so these
-- versions, each with the day its figures stand at, are the history.
with

source as (

    -- With the load sequence of the batch that landed the version: the history mart picks up
    -- new versions by it.
    {{ raw_with_load_seq(source('portal', 'portal_evaluations')) }}

),

renamed as (

    select
        source_key as evaluation_key,
        source_version as evaluation_version,
        batch_id,
        load_seq,
        extracted_at,
        payload ->> '_province' as province_code,
        payload ->> '_period_type' as period_type,
        payload ->> '_period' as period,
        payload ->> 'departmentCode' as portal_unit_code,
        payload ->> 'departmentName' as portal_unit_name,
        upper(payload ->> 'childGroup') as child_group,
        -- Records landed before the client stamped the day stand at their landing day.
        coalesce((payload ->> '_as_of')::date, {{ vn_date('extracted_at') }}) as as_of_date,
        (payload ->> 'totalScore')::numeric as total_points,
        payload -> 'groupScores' as group_scores

    from source

)

select * from renamed
