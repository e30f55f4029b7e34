{#- A `YYYY-MM-DD` text date -> `date`. DuckDB and PostgreSQL both read a full timestamp
    here as its written calendar date, so the two engines agree on such values too. -#}
{% macro to_date(column) -%}
    cast({{ to_string(column) }} as date)
{%- endmacro %}
