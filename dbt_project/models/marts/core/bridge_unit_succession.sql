-- Kế thừa đơn vị hành chính (unit succession) of the 1 July 2025 reform: which 2025 commune(s)
-- each old commune and each abolished district went to, with an allocation weight so that
-- history can be re-aggregated to the new communes (weights of one old unit sum to 1).
--
-- Assumptions (no population or area split is published in the merge table):
--   * an old commune split between several new ones (merge_type partial) is shared equally
--     among its successors;
--   * an abolished district is shared among the new communes in proportion to its old
--     communes' weights, i.e. every old commune of the district counts the same. The district's
--     own dossiers (district-level procedures) follow that share.
with

unit_merges as (

    select * from {{ ref('stg_reference__unit_merges') }}

),

old_communes as (

    select
        unit_code,
        parent_unit_code
    from {{ ref('stg_reference__units') }}
    where unit_level = 'commune' and valid_to = {{ reform_date() }}

),

district_sizes as (

    select
        parent_unit_code,
        count(*) as commune_count
    from old_communes
    group by parent_unit_code

),

commune_successions as (

    select
        old_unit_code,
        new_unit_code,
        merge_type,
        count(*) over (partition by old_unit_code) as successor_count,
        1.0 / count(*) over (partition by old_unit_code) as allocation_weight
    from unit_merges

),

district_successions as (

    select
        old_communes.parent_unit_code as old_unit_code,
        commune_successions.new_unit_code,
        sum(commune_successions.allocation_weight)
        / max(district_sizes.commune_count) as allocation_weight
    from commune_successions
    inner join old_communes on commune_successions.old_unit_code = old_communes.unit_code
    inner join district_sizes on old_communes.parent_unit_code = district_sizes.parent_unit_code
    group by old_communes.parent_unit_code, commune_successions.new_unit_code

),

unioned as (

    select
        old_unit_code,
        'commune' as old_unit_level,
        new_unit_code,
        merge_type,
        allocation_weight,
        case
            when successor_count > 1 then 'equal split among successors (assumption)'
            else 'whole unit'
        end as weight_basis
    from commune_successions

    union all

    select
        old_unit_code,
        'district' as old_unit_level,
        new_unit_code,
        case when allocation_weight = 1 then 'full' else 'partial' end as merge_type,
        allocation_weight,
        'equal share per old commune of the district (assumption)' as weight_basis
    from district_successions

),

final as (

    select
        {{ unit_key('old_unit_code', 'null') }} as old_unit_key,
        old_unit_code,
        old_unit_level,
        {{ unit_key('new_unit_code', reform_date()) }} as new_unit_key,
        new_unit_code,
        merge_type,
        round(allocation_weight, 10)::numeric(12, 10) as allocation_weight,
        weight_basis,
        {{ reform_date() }} as succession_date
    from unioned

)

select * from final
