-- The current state of each dossier: its highest version. Versions can arrive out of order
-- (a retried page, a late update), so "latest" is by version, never by arrival.
with

versions as (

    select * from {{ ref('int_dossier_versions') }}

),

latest as (

    select distinct on (dossier_code) *
    from versions
    order by dossier_code asc, dossier_version desc, extracted_at asc

)

select * from latest
