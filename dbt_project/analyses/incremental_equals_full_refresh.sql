-- Rows of fct_dossiers that differ between the current build and a copy saved by
-- `dbt run-operation save_build_for_comparison --args '{suffix: __incremental_copy}'`
-- (see macros/incremental_equivalence.sql for the whole procedure). Compile with
-- `dbt compile --select incremental_equals_full_refresh` and run the SQL in psql; no rows
-- means the incremental build equals the full refresh.
with

current_build as (

    select * from {{ ref('fct_dossiers') }}

),

saved_build as (

    select * from {{ ref('fct_dossiers').schema }}.fct_dossiers__incremental_copy

),

only_current as (

    select 'only in current build' as difference, current_build.*
    from current_build
    except all
    select 'only in current build' as difference, saved_build.*
    from saved_build

),

only_saved as (

    select 'only in saved build' as difference, saved_build.*
    from saved_build
    except all
    select 'only in saved build' as difference, current_build.*
    from current_build

)

select * from only_current
union all
select * from only_saved
order by dossier_code, difference
