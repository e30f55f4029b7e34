{#- A staging model's columns of one type, cast by `cast` (to_string, to_numeric, ...):
    `columns` is a list of raw columns that keep their names, or a mapping of staged
    name -> raw column (or expression). Renders `cast(raw) as name, ...`. -#}
{% macro cast_columns(cast, columns) -%}
    {%- for name in columns -%}
        {{ cast(columns[name] if columns is mapping else name) }} as {{ name }}
        {{- ',\n' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
