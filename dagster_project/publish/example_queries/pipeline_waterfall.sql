-- Pipeline waterfall: what moved in the company's open pipeline, week by week, over
-- the last 8 weeks the extracts cover. closing = opening + created + increased
-- - decreased - won - lost - removed (deleted while open); slipped is open pipeline whose close date moved out of
-- the week (still open, so still in closing).
select
    period_start as week_start,
    opening,
    created,
    increased,
    decreased,
    won,
    lost,
    removed,
    slipped,
    closing
from marts.mart_pipeline_waterfall
where
    period_type = 'week'
    and level = 'company'
    and is_covered_by_extracts
order by period_start desc
limit 8
