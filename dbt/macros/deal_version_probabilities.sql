{#- SQL query: deal_id, pipeline, probability and loaded_at of every deal version,
    extracted and rebuilt from field history (whose loaded_at is its latest input's):
    the values a pipeline's probability scale is decided from (docs/metrics.md
    "Probability"). -#}
{% macro deal_version_probabilities() -%}
    select deal_id, pipeline, probability, loaded_at
    from {{ ref('int_source_deal_versions') }}

    union all

    select deal_id, pipeline, probability, loaded_at
    from {{ ref('int_deal_versions_rebuilt_from_history') }}
{%- endmacro %}
