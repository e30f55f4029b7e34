{#- A raw text field as staging keeps it: surrounding blanks trimmed, and an empty
    field is null (CSV, Parquet and JSONL exports write "no value" differently). -#}
{% macro to_string(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}
