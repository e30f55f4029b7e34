{#- The incremental builds of int_deal_stage_entries and fct_stage_transitions (see their
    YAML descriptions), deal by deal: a deal's stage entries are computed from that
    deal's versions and field history alone, so a run rebuilds the deals whose inputs
    can have changed since the model's last build and keeps every other deal's rows.

    Each row carries two watermarks: raw_loaded_through (the latest drop loaded when
    the row was written) and built_as_of_date (the as-of date it was built for). A deal
    has changed when raw holds a version or a field-history row of it loaded after the
    table's latest raw_loaded_through, or one dated between the as-of date the table was
    built for and this run's (the as-of date moved, forward each night or back when the
    var pins an earlier day). A late or re-delivered drop (is_any_extract_replaced_since)
    rebuilds every deal, and clears the deals it left without any version.

    The pre-hook deletes the changed deals' rows; the model then builds every changed
    deal that has no row left. Evaluated again after the delete, the rule can only find
    more deals (the watermarks left are no later), and the ones it adds still have their
    rows, so no deal is written twice, even after a run that stopped between the steps. -#}

{#- SQL query: the deal_id of every deal the run rebuilds. -#}
{% macro stage_entry_deals_changed_since_last_build() -%}
    with

    built as (

        select
            coalesce(
                max(raw_loaded_through), cast('1900-01-01' as {{ dbt.type_timestamp() }})
            ) as loaded_through,
            coalesce(max(built_as_of_date), {{ as_of_date() }}) as built_as_of_date,
            {{ as_of_date() }} as run_as_of_date

        from {{ this }}

    ),

    -- Observations dated after the earlier of the two as-of days, up to the later one,
    -- are in one build and not in the other.
    as_of_window as (

        select
            least(built.built_as_of_date, built.run_as_of_date) as window_after,
            greatest(built.built_as_of_date, built.run_as_of_date) as window_through

        from built

    ),

    replaced_extracts as (

        select
            {{ is_any_extract_replaced_since('built.loaded_through', 'built.built_as_of_date') }}
                as is_any_replaced

        from built

    ),

    changed_versions as (

        select deal_versions.deal_id

        from {{ ref('int_deal_versions') }} as deal_versions
        cross join built
        cross join as_of_window
        cross join replaced_extracts
        where
            deal_versions.loaded_at > built.loaded_through
            or replaced_extracts.is_any_replaced
            or (
                cast(deal_versions.valid_from as date) > as_of_window.window_after
                and cast(deal_versions.valid_from as date) <= as_of_window.window_through
            )
            or (
                cast(deal_versions.created_at as date) > as_of_window.window_after
                and cast(deal_versions.created_at as date) <= as_of_window.window_through
            )

    ),

    changed_field_history as (

        select deal_field_history.deal_id

        from {{ ref('int_source_deal_field_history') }} as deal_field_history
        cross join built
        cross join as_of_window
        where
            deal_field_history.loaded_at > built.loaded_through
            or (
                cast(deal_field_history.changed_at as date) > as_of_window.window_after
                and cast(deal_field_history.changed_at as date)
                <= as_of_window.window_through
            )

    ),

    replaced_deals as (

        {{ built_deals_if_any_extract_replaced('replaced_extracts') }}

    )

    select deal_id from changed_versions
    union
    select deal_id from changed_field_history
    union
    select deal_id from replaced_deals
{%- endmacro %}

{#- SQL predicate on a deal_id column: every deal on a full build; on an incremental one
    the changed deals the pre-hook cleared. -#}
{% macro is_stage_entry_deal_rebuilt(deal_id_column) -%}
    {%- if is_incremental() -%}
        {{ deal_id_column }} in (
            select changed_deals.deal_id
            from ({{ stage_entry_deals_changed_since_last_build() }}) as changed_deals
            where changed_deals.deal_id not in (
                select built_rows.deal_id from {{ this }} as built_rows
            )
        )
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook: delete the rows of every changed deal. Empty on a full build. -#}
{% macro delete_changed_stage_entry_deals() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where deal_id in ({{ stage_entry_deals_changed_since_last_build() }})
    {%- endif -%}
{%- endmacro %}
