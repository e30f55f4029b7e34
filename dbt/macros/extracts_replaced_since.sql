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

{#- SQL query: every deal_id the incremental model being built holds, when the one-row
    relation `replaced_extracts` says is_any_replaced (is_any_extract_replaced_since),
    else none. A late or re-delivered drop can take a deal's every version away, and no
    version is left to find that deal by, so a deal-by-deal rule rebuilds them all. -#}
{% macro built_deals_if_any_extract_replaced(replaced_extracts) -%}
    select built_rows.deal_id

    from {{ this }} as built_rows
    cross join {{ replaced_extracts }}
    where {{ replaced_extracts }}.is_any_replaced
{%- endmacro %}
