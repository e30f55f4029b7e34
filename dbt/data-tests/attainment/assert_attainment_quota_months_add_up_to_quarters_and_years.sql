-- For every rep: the sum of its monthly quotas = its fiscal-quarter quota, and the
-- sum of its quarterly quotas = its fiscal-year quota (proration by day overlap must
-- neither lose nor invent quota). Returns the disagreements above a cent.
with

quotas as (

    select * from {{ ref('int_attainment_quotas') }}

),

periods as (

    select * from {{ ref('int_attainment_periods') }}

),

rep_quotas as (

    select
        quotas.entity_id,
        quotas.period_type,
        quotas.period_start,
        quotas.quota

    from quotas
    where quotas.level = 'rep'

),

parts_in_wholes as (

    select
        wholes.period_type as whole_type,
        wholes.period_start as whole_start,
        parts.period_type as part_type,
        parts.period_start as part_start

    from periods as wholes
    inner join periods as parts
        on
            wholes.period_start <= parts.period_start
            and wholes.next_period_start > parts.period_start
            and (
                (wholes.period_type = 'quarter' and parts.period_type = 'month')
                or (wholes.period_type = 'year' and parts.period_type = 'quarter')
            )

),

summed_parts as (

    select
        rep_quotas.entity_id,
        parts_in_wholes.whole_type,
        parts_in_wholes.whole_start,
        sum(rep_quotas.quota) as parts_quota

    from parts_in_wholes
    inner join rep_quotas
        on
            parts_in_wholes.part_type = rep_quotas.period_type
            and parts_in_wholes.part_start = rep_quotas.period_start
    group by rep_quotas.entity_id, parts_in_wholes.whole_type, parts_in_wholes.whole_start

),

compared as (

    select
        coalesce(summed_parts.entity_id, rep_quotas.entity_id) as entity_id,
        coalesce(summed_parts.whole_type, rep_quotas.period_type) as whole_type,
        coalesce(summed_parts.whole_start, rep_quotas.period_start) as whole_start,
        coalesce(summed_parts.parts_quota, 0) as parts_quota,
        coalesce(rep_quotas.quota, 0) as whole_quota

    from summed_parts
    full outer join rep_quotas
        on
            summed_parts.entity_id = rep_quotas.entity_id
            and summed_parts.whole_type = rep_quotas.period_type
            and summed_parts.whole_start = rep_quotas.period_start

)

select * from compared
where
    whole_type in ('quarter', 'year')
    and abs(parts_quota - whole_quota) > 0.01
