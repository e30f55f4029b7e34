{#- SQL boolean: whether raw holds a drop loaded after `loaded_through` and dated on or
    before `built_as_of_date`, the as-of date an incremental model was built for (by
    default the latest drop it saw): a late or re-delivered drop. A corrected
    re-delivery can take a row away, which no row loaded since tells, so a model that
    sees one rebuilds everything. With the as-of date pinned by the var, any drop loaded
    since counts: one dated after it may still hold an earlier-dated version. -#}
{% macro is_any_extract_replaced_since(loaded_through, built_as_of_date) -%}
    exists (
        select 1

        from {{ ref('stg_canonical__extracts') }} as extracts
        where
            extracts.loaded_at > {{ loaded_through }}
            {%- if not var('as_of_date') %}
                and extracts.extract_date <= {{ built_as_of_date }}
            {%- endif %}
    )
{%- endmacro %}
