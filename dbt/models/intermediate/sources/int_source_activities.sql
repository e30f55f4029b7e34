-- The union of every source's rows, in this model's YAML columns (macros/union_sources.sql).
{{ union_sources({
    'canonical': ref('stg_canonical__activities'),
    'salesforce': ref('int_salesforce__activities'),
    'hubspot': ref('int_hubspot__activities'),
}) }}
