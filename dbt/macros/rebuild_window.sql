{#- The project's one rebuild rule, dbt's side of it. A run passes the var `rebuild_from`:
    the earliest business day anything it loaded since the last build can change
    (dagster_project/transform/rebuild_window.py decides it, or makes the run a full
    refresh). An incremental model builds only its rows from that day on (or from the
    start of the period holding it), through rebuild_from(); its strategy,
    `rebuild_window`, deletes the stored rows from there on and inserts the new ones.
    Without the var (an analyst's own `dbt build`) every day is rebuilt. -#}

{#- SQL date: the first day an incremental model builds; 1900-01-01 (every day) on a
    full build or without the var. -#}
{% macro rebuild_from() -%}
    {%- if is_incremental() and var('rebuild_from') -%}
        cast('{{ var("rebuild_from") }}' as date)
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
