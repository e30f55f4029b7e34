{#- The project's one rebuild rule, dbt's side of it. A run sets PIPEHEALTH_REBUILD_FROM:
    the earliest business day anything it loaded since the last build can change
    (dagster_project/transform/rebuild_window.py decides it, or makes the run a full
    refresh). A model by day rebuilds its rows from that day on (or from the start of the
    period holding it): its strategy, `rebuild_window`, deletes the stored rows from there
    on and inserts the new ones. A model by deal rebuilds the deals changed since then
    (where_deal_changed). Without it (an analyst's own `dbt build`) every day is rebuilt.
    Not a var: a changed `--vars` makes dbt parse the whole project again (7 s of CPU). -#}

{#- SQL date: the first day an incremental model builds; 1900-01-01 (every day) on a
    full build or without PIPEHEALTH_REBUILD_FROM. -#}
{% macro rebuild_from() -%}
    {%- set first_day = env_var('PIPEHEALTH_REBUILD_FROM', '') -%}
    {%- if is_incremental() and first_day -%}
        cast('{{ first_day }}' as date)
    {%- else -%}
        cast('1900-01-01' as date)
    {%- endif -%}
{%- endmacro %}

{#- The incremental strategy `rebuild_window`: delete the stored rows whose `unique_key`
    (the model's day column: a row's day, or its period's first or last day) is on or
    after the earliest of rebuild_from() and the first day the run built, so a model
    that rebuilds whole periods from the one holding rebuild_from() replaces them whole;
    then insert every row built. -#}
{% macro get_incremental_rebuild_window_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set built = arg_dict['temp_relation'] -%}
    {%- set day_column = arg_dict['unique_key'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }}
    where {{ day_column }} >= (
        select coalesce(min({{ day_column }}), {{ rebuild_from() }})
        from (
            select {{ day_column }} from {{ built }}
            union all
            select {{ rebuild_from() }}
        ) as first_days
    );
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ built }}
{%- endmacro %}

{#- SQL `where` of a model keyed by deal (dbt's `delete+insert` on deal_id): on an
    incremental run, the deals with a row of `relation` dated (`day_column`) on or after
    rebuild_from(), as every row loaded since the last build is; each is rebuilt whole.
    Only for a model that keeps a row of every deal it has: a deal left out would stay. -#}
{% macro where_deal_changed(relation, day_column) -%}
    {%- if is_incremental() -%}
        where deal_id in (
            select dated.deal_id from {{ relation }} as dated
            where dated.{{ day_column }} >= {{ rebuild_from() }}
        )
    {%- endif -%}
{%- endmacro %}
