{#- Spark: dbt-spark's datediff raises on a null input (its `assert_not_null`), where
    DuckDB and PostgreSQL return null, e.g. for a stage not exited yet. This branch
    counts boundaries crossed as dbt.datediff does on DuckDB (days between the calendar
    dates, seconds between the whole seconds), null in, null out. The project uses
    `day` and `second` only; other dateparts fail at compile time. -#}
{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- if datepart == 'day' -%}
        datediff(cast({{ second_date }} as date), cast({{ first_date }} as date))
    {%- elif datepart == 'second' -%}
        (
            unix_seconds(cast({{ second_date }} as timestamp))
            - unix_seconds(cast({{ first_date }} as timestamp))
        )
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "spark__datediff: datepart '" ~ datepart ~ "' is not implemented (day, second)"
        ) }}
    {%- endif -%}
{%- endmacro %}
