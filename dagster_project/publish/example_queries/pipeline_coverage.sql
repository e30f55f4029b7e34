-- Pipeline coverage: does each team have enough open pipeline for what is left of
-- its quarter's quota? One row per team on the latest as-of date; a coverage_ratio
-- below 3 is the usual warning line.
select
    entity_name as team,
    as_of_date,
    open_pipeline_this_quarter,
    remaining_quota,
    coverage_ratio,
    weighted_pipeline,
    stalled_deals,
    deals_without_next_step
from marts.mart_pipeline_health
where
    level = 'team'
    and as_of_date = (select max(as_of_date) from marts.mart_pipeline_health)
order by coverage_ratio asc nulls first, team asc
