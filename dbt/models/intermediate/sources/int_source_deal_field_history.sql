-- The union of every source's rows, in this model's YAML columns (macros/union_sources.sql).
{{ union_sources({
    'canonical': ref('stg_canonical__deal_field_history'),
    'salesforce': ref('int_salesforce__deal_field_history'),
    'hubspot': ref('int_hubspot__deal_field_history'),
}) }}
