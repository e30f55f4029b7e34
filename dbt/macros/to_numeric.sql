{#- A decimal text number (money, probability) -> numeric(28,6) from `dbt.type_numeric`.
    Precision is explicit because DuckDB's bare `numeric` is DECIMAL(18,3), which would
    round amounts to 3 places and overflow above 10^15. -#}
{% macro to_numeric(column) -%}
    cast({{ to_string(column) }} as {{ dbt.type_numeric() }})
{%- endmacro %}
