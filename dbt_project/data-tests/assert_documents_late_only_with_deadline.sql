-- Only a document with a deadline can be late, and a late one was completed after its deadline
-- or is still open past it as of the feed's as-of instant.
select
    document_id,
    late_reason
from {{ ref('fct_documents') }}
where
    is_late
    and (
        deadline_at is null
        or (completed_at is not null and completed_at <= deadline_at)
        or (completed_at is null and as_of_at <= deadline_at)
    )
