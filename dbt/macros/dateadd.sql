{#- Spark: dbt-spark's dateadd rebuilds the result from epoch seconds through
    `to_timestamp(<number>)`, which Spark 4's ANSI mode (on by default) answers with
    null, and it fails on a null input where DuckDB and PostgreSQL return null.
    `timestampadd` (Spark 3.3+) adds calendar units directly; like the other engines it
    returns a timestamp, and a month added to Jan 31 gives the last day of February. -#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    timestampadd({{ datepart }}, {{ interval }}, {{ from_date_or_timestamp }})
{%- endmacro %}
