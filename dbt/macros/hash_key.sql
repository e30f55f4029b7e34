{#- Surrogate key for a composite grain: md5 (`dbt.hash`) of the columns as text joined
    by `|`, a null written as a marker so that (null, 'a') and ('a', null) differ. -#}
{% macro hash_key(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- if not loop.first -%}
            {%- do parts.append("'|'") -%}
        {%- endif -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '<null>')") -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}
