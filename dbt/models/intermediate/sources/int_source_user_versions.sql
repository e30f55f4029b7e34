-- The union of every source's rows, in this model's YAML columns (macros/union_sources.sql).
{{ union_sources({
    'canonical': ref('stg_canonical__user_versions'),
    'flat': ref('stg_flat__user_versions'),
    'salesforce': ref('int_salesforce__user_versions'),
    'hubspot': ref('int_hubspot__user_versions'),
}) }}
