{#- Post-hook of snap_deals: delete the deals int_deal_versions no longer holds. A late
    or re-delivered drop can withdraw a deal's every version; int_deal_versions then
    rebuilds every deal, and the deals left without a version have no row there to
    replace theirs here. Empty on a full build. -#}
{% macro delete_deals_without_versions() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} as built
        where not exists (
            select 1
            from {{ ref('int_deal_versions') }} as deal_versions
            where deal_versions.deal_id = built.deal_id
        )
    {%- endif -%}
{%- endmacro %}
