{#- The day every "current" figure is computed as of (docs/metrics.md, "As-of date"):
    var `as_of_date` when set, else the latest extract date loaded. Never
    `current_date`, so rerunning an old day gives the same answer. -#}
{% macro as_of_date() -%}
    {%- if var('as_of_date') -%}
        cast('{{ var("as_of_date") }}' as date)
    {%- else -%}
        (select max(extract_date) from {{ ref('stg_canonical__extracts') }})
    {%- endif -%}
{%- endmacro %}
