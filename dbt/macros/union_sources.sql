{#- One entity's rows from every source's staging, stacked: for each relation of
    `relations` (source_system -> relation), its source_system and the model's columns
    as its YAML lists them, so that the YAML is the union's one column list (a column
    left out of it is left out of the union). -#}
{% macro union_sources(relations) -%}
    {%- set columns = model.columns.keys() | reject('equalto', 'source_system') | list -%}
    {%- for source_system, relation in relations.items() %}
select
    '{{ source_system }}' as source_system,
    {{ columns | join(',\n    ') }}
from {{ relation }}
{%- if not loop.last %}

union all
{% endif -%}
    {%- endfor %}
{%- endmacro %}
