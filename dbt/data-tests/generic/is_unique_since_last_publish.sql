{#- `unique` for a view that unions every source's staged rows, where dbt's `unique`
    would group every row of history each night (8 s for the activities at scale L):
    each key of a row loaded since the last publish must appear once among all rows. A
    duplicate pair holds at least one such row, since every pair older than the last
    publish was there when that run's test passed (macros/rows_since_last_publish.sql);
    before the first publish and on other targets, every row is checked. Returns each
    duplicated key with its count.
    A full refresh checks every row with dbt's own `unique`: one aggregate, where the
    keys loaded since the last publish would be every key, held a second time for the
    match (at scale L that ran out of a 4 GB memory limit beside the marts built with it). -#}
{% test is_unique_since_last_publish(model, column_name, loaded_at_column='loaded_at') %}

    {%- if flags.FULL_REFRESH %}

    {{ adapter.dispatch('test_unique', 'dbt')(model, column_name) }}

    {%- else %}

    with

    keys_loaded_since_last_publish as (

        select {{ column_name }} as unique_key

        from {{ model }}
        where {{ loaded_at_column }} > {{ last_published_at() }}

    )

    select
        {{ column_name }} as unique_field,
        count(*) as n_records

    from {{ model }}
    where {{ column_name }} in (select unique_key from keys_loaded_since_last_publish)
    group by {{ column_name }}
    having count(*) > 1

    {%- endif %}

{% endtest %}
