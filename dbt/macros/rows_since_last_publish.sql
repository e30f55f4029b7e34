{#- What the nightly tests of an incremental model read: the rows written since the last
    publish, not its whole history.

    The data tests of an incremental model (YAML) filter its rows with a `where` config
    such as "built_at > __last_published_at__". Every row written by a run that published
    was tested by that run, which published only because its tests passed, and no run
    changes a row without writing it again; so the rows later than the last publish are
    the ones no passing run has tested: this run's, and those of runs that stopped at a
    gate since. A full refresh writes every row, so it tests every row. (The staging
    tables of current versions are filtered by loaded_at: a version that is current
    again after a re-delivery withdrew a later one was tested when it was loaded.) -#}

{#- The project's branch of dbt's `get_where_subquery` (the project comes first in the
    `dbt` dispatch order): dbt's own, with __last_published_at__ in `where` replaced by
    last_published_at(), which needs the warehouse and so cannot be rendered at parse
    time as the rest of a test's config is. -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if not where -%}
        {%- do return(relation) -%}
    {%- endif -%}
    {%- set where = where | replace('__last_published_at__', last_published_at()) -%}
    {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
{%- endmacro %}

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
