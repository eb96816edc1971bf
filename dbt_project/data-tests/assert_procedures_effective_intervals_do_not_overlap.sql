-- A procedure x authority level has at most one version in force on any day: the effective
-- intervals of its versions in dim_procedures do not overlap.
select
    earlier.procedure_key,
    earlier.procedure_version as earlier_version,
    later.procedure_version as later_version
from {{ ref('dim_procedures') }} as earlier
inner join {{ ref('dim_procedures') }} as later
    on
        earlier.procedure_key = later.procedure_key
        and earlier.procedure_version < later.procedure_version
where
    earlier.is_effective
    and later.is_effective
    and later.effective_from < coalesce(earlier.effective_to, date '9999-12-31')
    and earlier.effective_from < coalesce(later.effective_to, date '9999-12-31')
