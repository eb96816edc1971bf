-- Only a document with a deadline can be late, and a late one was completed after its deadline
-- or is still open past it as of the feed's as-of instant.
-- In a build, the rows the build wrote (macros/test_scope.sql) and every open document (re-judged
-- by every build: its lateness moves with the as-of instant, its load sequence does not); run on
-- its own (dbt test), every row. Reading every document on every build grew with history
-- (0.5 s with 1 year, 2.9 s with 3 at province scale: BENCHMARKS.md).
{%- set documents_relation = ref('fct_documents') %}
{%- set scope = test_scope_filter(documents_relation) %}
{%- set checked_documents = '(' ~ scope ~ ' or completed_at is null)' if scope else 'true' %}
select
    document_id,
    late_reason
from {{ documents_relation }}
where
    is_late
    and (
        deadline_at is null
        or (completed_at is not null and completed_at <= deadline_at)
        or (completed_at is null and as_of_at <= deadline_at)
    )
    and {{ checked_documents }}
