{#- Spark: point every source table of the project at a folder of Parquet files,
    `<location>/<table>/`, as external tables of its source schema (e.g. `raw`). A
    table is replaced, not its files, so a fresh export is read on the next build.
        dbt run-operation register_raw_parquet --target spark --args '{location: /data/raw}'
    The location is the operator's; table names come from the project's sources. -#}
{% macro register_raw_parquet(location) -%}
    {%- for source in graph.sources.values() | sort(attribute='unique_id') -%}
        {%- call statement('create_schema_' ~ loop.index) -%}
            create schema if not exists {{ source.schema }}
        {%- endcall -%}
        {%- call statement('drop_' ~ loop.index) -%}
            drop table if exists {{ source.schema }}.{{ source.identifier }}
        {%- endcall -%}
        {%- call statement('create_' ~ loop.index) -%}
            create table {{ source.schema }}.{{ source.identifier }}
            using parquet
            location '{{ location }}/{{ source.identifier }}'
        {%- endcall -%}
    {%- endfor -%}
    {{ log('Registered ' ~ graph.sources | length ~ ' source tables from ' ~ location, info=true) }}
{%- endmacro %}
