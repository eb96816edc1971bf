-- Every dossier version from every channel of arrival: the one-stop systems' API and the
-- spreadsheet drops of units without one. Downstream models read dossiers only from here.
with

api as (

    select
        'api' as source_system,
        *
    from {{ ref('stg_one_stop__dossiers') }}

),

spreadsheets as (

    select
        'spreadsheet' as source_system,
        *
    from {{ ref('stg_spreadsheets__dossiers') }}

),

unioned as (

    select * from api
    union all
    select * from spreadsheets

)

select * from unioned
