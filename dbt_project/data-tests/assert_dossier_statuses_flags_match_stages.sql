-- The lifecycle flags of the status seed agree with its stages: a status has a result exactly
-- when it is settled, ends without one exactly when it is rejected or withdrawn, and only an
-- in-progress status can pause the clock. Returns the statuses that break this.
select
    status_code,
    lifecycle_stage,
    pauses_clock,
    ends_without_result,
    has_result
from {{ ref('stg_reference__dossier_statuses') }}
where
    has_result is distinct from (lifecycle_stage = 'settled')
    or ends_without_result is distinct from (lifecycle_stage = 'rejected_or_withdrawn')
    or (pauses_clock and lifecycle_stage <> 'in_progress')
