{#- The levels every mart reports at, a row each; int_owner_levels credits an owner at
    each. -#}
{% macro reporting_levels() -%}
    select 'rep' as level
    union all
    select 'team' as level
    union all
    select 'company' as level
{%- endmacro %}
