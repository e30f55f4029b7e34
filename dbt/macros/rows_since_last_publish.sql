{#- What the nightly tests of the source unions read: the rows loaded since the last
    publish, not their whole history. Every row loaded before a run that published was
    tested by that run, which published only because its tests passed; so the rows loaded
    later are the ones no passing run has tested. -#}

{#- SQL timestamp (UTC): when the marts were last published (audit.publishes, which the
    pipeline's publish step writes in the DuckDB warehouse), or 1900-01-01 before the
    first publish and on other targets, where every row is tested. -#}
{% macro last_published_at() -%}
    {%- set publishes = adapter.get_relation(
        database=target.database, schema='audit', identifier='publishes'
    ) if execute and target.type == 'duckdb' else none -%}
    {%- if publishes is not none -%}
        (
            select coalesce(max(published_at), cast('1900-01-01' as {{ dbt.type_timestamp() }}))
            from {{ publishes }}
            where action = 'publish'
        )
    {%- else -%}
        cast('1900-01-01' as {{ dbt.type_timestamp() }})
    {%- endif -%}
{%- endmacro %}
