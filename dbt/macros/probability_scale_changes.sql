{#- SQL query, one row per pipeline: whether its probabilities are read on a 0-100 scale
    now (is_percent) and were when an incremental model was last built (was_percent).
    docs/metrics.md "Probability": the scale is decided from all the pipeline's deals' values,
    so a new value above 1 on a pipeline read as 0-1 changes all its history.

    `deal_versions` is a relation of every deal version, extracted and rebuilt from
    field history (pipeline, probability, loaded_at); `built` one row holding the
    model's watermark, `loaded_through`. Every version raw held at the last build was
    loaded no later than the watermark, so the scale then is read from those; a version
    since taken away can only make the two differ, never hide a change. -#}
{% macro probability_scale_changes(deal_versions, built) -%}
    select
        deal_versions.pipeline,
        max(deal_versions.probability) > 1 as is_percent,
        max(
            case
                when deal_versions.loaded_at <= built.loaded_through
                    then deal_versions.probability
            end
        ) > 1 as was_percent

    from {{ deal_versions }} as deal_versions
    cross join {{ built }} as built
    group by deal_versions.pipeline
{%- endmacro %}

{#- SQL query: deal_id, pipeline, probability and loaded_at of every deal version,
    extracted and rebuilt from field history (whose loaded_at is its latest input's);
    what probability_scale_changes reads. -#}
{% macro deal_version_probabilities() -%}
    select deal_id, pipeline, probability, loaded_at
    from {{ ref('int_source_deal_versions') }}

    union all

    select deal_id, pipeline, probability, loaded_at
    from {{ ref('int_deal_versions_rebuilt_from_history') }}
{%- endmacro %}
