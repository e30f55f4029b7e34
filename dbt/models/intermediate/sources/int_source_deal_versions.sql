-- The union of every source's rows, in this model's YAML columns (macros/union_sources.sql).
{{ union_sources({
    'canonical': ref('stg_canonical__deal_versions'),
    'flat': ref('int_flat__deal_versions'),
    'salesforce': ref('int_salesforce__deal_versions'),
    'hubspot': ref('int_hubspot__deal_versions'),
}) }}
