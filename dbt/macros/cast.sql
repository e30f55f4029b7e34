{#- Spark: the contract types the marts declare are the DuckDB/PostgreSQL spelling;
    `text` is Spark's `string` (its `varchar` needs a length). dbt casts through this
    macro when it checks a contract, so the marts' YAML stays one for every engine. -#}
{% macro spark__cast(field, type) -%}
    {%- if type | trim | lower == 'text' -%}
        cast({{ field }} as {{ dbt.type_string() }})
    {%- else -%}
        cast({{ field }} as {{ type }})
    {%- endif -%}
{%- endmacro %}
