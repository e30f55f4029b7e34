{#- Every stage label a CRM export uses must be mapped in the seed stage_mappings to a
    pipeline and stage of pipeline_stages: without it a deal is neither open, won nor
    lost. `column_name` is the mapped stage, null where the label is not mapped. The raw
    gate blocks such drops first; this catches a seed edited afterwards. One row per
    unmapped label. Fix: add the source, pipeline and stage label to
    seeds/stage_mappings.csv. -#}
{% test is_mapped_stage(model, column_name) %}

    select
        source_pipeline,
        source_stage,
        count(*) as deal_versions,
        min(source_file) as first_source_file

    from {{ model }}
    where {{ column_name }} is null
    group by source_pipeline, source_stage

{% endtest %}
