{#- "Latest version per key", the dedupe of every source's staging: one row per `key`
    (a list of columns) of `relation` (a ref, a source or a CTE's name), with the
    relation's own columns, after the surrogate key `id` (hash_key of the key) when given.
    The latest is the one with the latest updated_at (rows without it:
    `by_updated_at=false`), then the latest delivery (extract date, load, row of the
    file). With updated_at in the key it is the latest delivery of each version.
    In an incremental model (dbt's `delete+insert` on the `id`, or on a one-column `key`
    without one), only the rows loaded since the model last ran and the stored rows of
    their keys: a stored row is the latest of what came before, so the latest of these
    is the latest of all. -#}
{% macro latest_version(relation, key, by_updated_at=true, id=none) -%}
    {#- is_incremental() alone fails in the unit tests of the other models (no `this`). -#}
    {%- if config.get('materialized') == 'incremental' and is_incremental() -%}
        {%- set relation = versions_since_last_run(relation, key, id) -%}
    {%- endif -%}
    {%- set order_by = 'extract_date desc, loaded_at desc, source_row desc' -%}
    {%- if by_updated_at -%}
        {%- set order_by = 'updated_at desc, ' ~ order_by -%}
    {%- endif -%}
    {%- set id_column = (hash_key(key) ~ ' as ' ~ id ~ ', ') if id else '' -%}
    {{ return(adapter.dispatch('latest_version')(relation, key | join(', '), order_by, id_column)) }}
{%- endmacro %}

{#- The rows loaded since the model last ran, and the stored rows of their keys. -#}
{% macro versions_since_last_run(relation, key, id) -%}
    {%- set stored_columns = adapter.get_columns_in_relation(this)
        | map(attribute='name') | reject('equalto', id) | join(', ') -%}
    (
        with loaded_since_last_run as (
            select * from {{ relation }}
            where loaded_at > (
                select coalesce(max(loaded_at), cast('1900-01-01' as timestamp))
                from {{ this }}
            )
        )
        select * from loaded_since_last_run
        union all
        select {{ stored_columns }} from {{ this }}
        where {{ id or key[0] }} in (
            select {{ hash_key(key) if id else key | join(', ') }} from loaded_since_last_run
        )
    ) as versions_to_compare
{%- endmacro %}

{% macro default__latest_version(relation, key, order_by, id_column) -%}
    select {{ id_column }}*
    from {{ relation }}
    qualify row_number() over (partition by {{ key }} order by {{ order_by }}) = 1
{%- endmacro %}

{#- PostgreSQL has no `qualify`; `distinct on` keeps the first row of each key. -#}
{% macro postgres__latest_version(relation, key, order_by, id_column) -%}
    select distinct on ({{ key }}) {{ id_column }}*
    from {{ relation }}
    order by {{ key }}, {{ order_by }}
{%- endmacro %}

{#- Spark has no `qualify`; its star drops the rank column (`* except`). -#}
{% macro spark__latest_version(relation, key, order_by, id_column) -%}
    select {{ id_column }}* except (version_recency)
    from (
        select
            *,
            row_number() over (partition by {{ key }} order by {{ order_by }}) as version_recency
        from {{ relation }}
    ) as versions_ranked
    where version_recency = 1
{%- endmacro %}

{#- A deal's field change is one change however often it is delivered: its latest
    delivery, deal_field_change_id the hash of what the change is. -#}
{% macro latest_field_changes(relation) -%}
    {%- set change = ['deal_id', 'field', 'old_value', 'new_value', 'changed_at'] -%}
    {{ return(latest_version(relation, change, by_updated_at=false, id='deal_field_change_id')) }}
{%- endmacro %}
