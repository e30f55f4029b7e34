-- The union of every source's rows, in this model's YAML columns (macros/union_sources.sql).
{{ union_sources({
    'canonical': ref('stg_canonical__accounts'),
    'flat': ref('stg_flat__accounts'),
    'salesforce': ref('stg_salesforce__accounts'),
    'hubspot': ref('stg_hubspot__accounts'),
}) }}
