-- docs/metrics.md "waterfall": opening + created + increased - decreased - won - lost - removed
-- = closing, exactly, for every period, level and entity. Any row returned is a failure.
select
    waterfall_id,
    period_type,
    period_start,
    level,
    entity_id,
    opening + created + increased - decreased - won - lost - removed - closing as difference

from {{ ref('mart_pipeline_waterfall') }}
where opening + created + increased - decreased - won - lost - removed <> closing
