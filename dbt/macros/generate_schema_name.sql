{#- Layers get plain schema names (raw, staging, intermediate, marts) on every target,
    because BI and the publish step address `marts` by name. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
