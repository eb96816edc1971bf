-- One row per rating version (đánh giá), typed. Versions are kept; the marts pick the highest.
with

source as (

    -- With the load sequence of the batch that landed the version: fct_ratings picks up new
    -- versions by it.
    {{ raw_with_load_seq(source('satisfaction', 'satisfaction_ratings')) }}

),

renamed as (

    select
        source_key as rating_id,
        source_version as rating_version,
        unit_code as source_unit_code,
        batch_id,
        load_seq,
        extracted_at,
        (payload ->> 'updated_at')::timestamptz as updated_at,
        (payload ->> 'rated_at')::timestamptz as rated_at,
        payload ->> 'dossier_code' as dossier_code,
        payload ->> 'unit_code' as unit_code,
        payload ->> 'procedure_code' as procedure_code,
        lower(payload ->> 'channel') as rating_channel,
        -- SMS ratings carry no score, only the three-way answer.
        (payload ->> 'score')::smallint as score,
        -- The source's answer; when it is missing, the contract's mapping of the score
        -- (4-5 satisfied, 3 normal, 1-2 unsatisfied).
        coalesce(
            lower(payload ->> 'satisfaction'),
            case
                when (payload ->> 'score')::smallint >= 4 then 'satisfied'
                when (payload ->> 'score')::smallint = 3 then 'normal'
                when (payload ->> 'score')::smallint >= 1 then 'unsatisfied'
            end
        ) as satisfaction,
        payload ->> 'comment' as comment_text

    from source

)

select * from renamed
