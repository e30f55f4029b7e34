-- The union of every source's rows, in this model's YAML columns (macros/union_sources.sql).
-- HubSpot's staging keeps only each engagement's current row; its load time is what the
-- snapshot's watermark needs (an earlier delivery's completion day is not kept).
{{ union_sources({
    'canonical': ref('stg_canonical__activity_versions'),
    'salesforce': ref('int_salesforce__activity_versions'),
    'hubspot': ref('int_hubspot__activities'),
}) }}
