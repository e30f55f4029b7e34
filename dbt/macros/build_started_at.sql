{#- SQL timestamp (UTC): when the dbt command that builds the model started. Rows of an
    incremental model carry it as `built_at`, so a model downstream can tell which rows
    were rewritten since its own last build (its watermark is the latest built_at it
    holds), whether that was in this command or in one it missed. -#}
{% macro build_started_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}
