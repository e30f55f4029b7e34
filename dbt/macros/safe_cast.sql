{#- PostgreSQL: a bare `numeric` becomes the project's numeric(28,6) (`dbt.type_numeric`).
    dbt's unit tests cast expected values to the type PostgreSQL reports for a column,
    which is `numeric` without its scale, so an expected 0.5 never equals the model's
    0.500000; the project never means an unconstrained numeric anyway (docs/scaling.md). -#}
{% macro postgres__safe_cast(field, type) -%}
    {%- if type | trim | lower == 'numeric' -%}
        cast({{ field }} as {{ dbt.type_numeric() }})
    {%- else -%}
        cast({{ field }} as {{ type }})
    {%- endif -%}
{%- endmacro %}
