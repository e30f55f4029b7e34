{#- A whole number as text -> integer. It goes through numeric because exports that
    round-trip through floats write `120.0`, which PostgreSQL refuses to cast to integer
    while DuckDB accepts it; this way both engines give 120. -#}
{% macro to_integer(column) -%}
    cast({{ to_numeric(column) }} as {{ dbt.type_int() }})
{%- endmacro %}
