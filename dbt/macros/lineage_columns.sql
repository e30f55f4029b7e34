{#- The raw row a staged row was read from, kept by every staging model so that a test
    failure or a suspicious figure downstream names the file and line that delivered it:
    the loader's `_extract_date`, `_source_file`, `_source_row`, `_loaded_at` of
    `relation` (a CTE's name, or none for the only one in the query), renamed. -#}
{% macro lineage_columns(relation=none) -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    {{ prefix }}_extract_date as extract_date,
    {{ prefix }}_source_file as source_file,
    {{ prefix }}_source_row as source_row,
    {{ prefix }}_loaded_at as loaded_at
{%- endmacro %}
