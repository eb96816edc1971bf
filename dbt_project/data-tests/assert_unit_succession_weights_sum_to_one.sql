-- Every old commune and district hands on all of its history: the allocation weights of one
-- old unit sum to 1 (within rounding), so re-aggregating to the 2025 communes neither loses
-- nor duplicates dossiers. Keys of the bridge come from the same seeds as dim_units.
select
    old_unit_key,
    sum(allocation_weight) as total_weight
from {{ ref('bridge_unit_succession') }}
group by old_unit_key
having abs(sum(allocation_weight) - 1) > 0.000001
