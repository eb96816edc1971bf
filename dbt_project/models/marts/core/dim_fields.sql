-- Lĩnh vực (fields of procedures) as the dossiers name them, until the procedure catalogue
-- feed arrives. The name is the most recently seen one for the code.
with

dossiers as (

    select * from {{ ref('stg_one_stop__dossiers') }}

),

named as (

    select distinct on (dossiers.field_code)
        dossiers.field_code,
        dossiers.field_name,
        dossiers.updated_at
    from dossiers
    where dossiers.field_code is not null
    order by dossiers.field_code asc, dossiers.updated_at desc, dossiers.field_name asc

),

final as (

    select
        field_code,
        field_name as field_name_vi,
        updated_at as name_seen_at
    from named

)

select * from final
