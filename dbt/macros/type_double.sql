{#- The 8-byte floating point type. dbt.type_float() is `float`, which DuckDB reads as a
    4-byte FLOAT; PostgreSQL and DuckDB spell the 8-byte one `double precision`, Spark
    `double`. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}
