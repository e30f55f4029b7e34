{#- The incremental build of the big canonical staging tables
    (stg_canonical__activity_versions, and from it stg_canonical__activities; see their
    YAML descriptions).

    Raw is append-only, except that the loader replaces a re-delivered drop: it deletes
    every raw row of that drop and of every drop after it, and loads them again in one
    transaction, with a new `_loaded_at` and a new row in the drop log (raw._drops). So
    a run first deletes the table's rows of every extract the drop log says was loaded
    since the last build (the pre-hook), then appends the raw rows loaded after the
    latest load left in the table. Deleting by extract, not by the keys of the rows
    appended, also clears an extract that raw now holds no rows of.

    Every raw row loaded no later than that watermark was in raw when the table was last
    built (loads run one after the other, each with a later `_loaded_at`), and all rows
    of one extract share one `_loaded_at`: so the table ends with exactly raw's rows, as
    a full refresh does, even when an earlier run stopped between its two steps. -#}

{#- SQL predicate on raw `_loaded_at`: every row on a full build, and on an incremental
    one the rows loaded after the latest load the table holds (after the pre-hook). -#}
{% macro loaded_after_last_build(loaded_at_column) -%}
    {%- if is_incremental() -%}
        {{ loaded_at_column }} > (
            select coalesce(max(loaded_at), cast('1900-01-01' as {{ dbt.type_timestamp() }}))
            from {{ this }}
        )
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook: delete the rows of every extract loaded (again) since the last build.
    Empty on a full build. -#}
{% macro delete_reloaded_extracts() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where extract_date in (
            select extracts.extract_date
            from {{ ref('stg_canonical__extracts') }} as extracts
            where extracts.loaded_at > (select max(loaded_at) from {{ this }})
        )
    {%- endif -%}
{%- endmacro %}
