{{
    config(
        materialized='incremental',
        unique_key=['source_system', 'dossier_code', 'dossier_version'],
        incremental_strategy='delete+insert',
        post_hook=[
            "create index if not exists {{ this.name }}_dossier_code_idx on {{ this }} (dossier_code)",
            "create index if not exists {{ this.name }}_load_seq_idx on {{ this }} (load_seq)",
            "analyze {{ this }}",
        ],
    )
}}
-- Every dossier version from every channel of arrival: the one-stop systems' API and the
-- spreadsheet drops of units without one. Downstream models read dossiers only from here.
-- A table, appended by load sequence: a build reads only the batches landed since the last one
-- (and those not sealed yet), by the ledger's index, so its cost follows the day's volume. Its
-- own indexes and statistics let the marts find a changed dossier's versions without scanning.
with

api as (

    select
        'api' as source_system,
        *
    from {{ ref('stg_one_stop__dossiers') }}
    {{ landed_since_last_build('load_seq') }}

),

spreadsheets as (

    select
        'spreadsheet' as source_system,
        *
    from {{ ref('stg_spreadsheets__dossiers') }}
    {{ landed_since_last_build('load_seq') }}

),

unioned as (

    select * from api
    union all
    select * from spreadsheets

)

select * from unioned
