{#- The incremental build of int_deal_versions (see its YAML description), deal by deal:
    a deal's versions are computed from that deal's extracted versions and rebuilt ones
    alone, but for the probability scale, which is decided per pipeline from all its
    deals' values (docs/metrics.md "Probability"). So a run rebuilds the deals whose inputs
    can have changed since the model's last build and keeps every other deal's rows.

    Each row carries two watermarks, as the stage models' do: raw_loaded_through (the
    latest drop loaded when the row was written) and built_as_of_date (the as-of date
    then: the latest drop's date, unless the var pins one). A deal has changed when it
    has a version, extracted or rebuilt from field history, or a field-history row
    loaded after the table's latest raw_loaded_through, or a version on a pipeline whose
    scale those loads changed. A late or re-delivered
    drop (is_any_extract_replaced_since) can take a version away, which no row loaded
    since tells, so it rebuilds every deal.

    The pre-hook deletes the changed deals' rows; the model then builds every deal that
    has no row left: the changed ones and the new ones (which are loaded since), and
    after a run that stopped between the two steps, the deals that run deleted. -#}

{#- SQL query: the deal_id of every deal the run rebuilds; on a late or re-delivered drop,
    every deal the table holds. -#}
{% macro deal_version_deals_changed_since_last_build() -%}
    with

    built as (

        select
            coalesce(
                max(raw_loaded_through), cast('1900-01-01' as {{ dbt.type_timestamp() }})
            ) as loaded_through,
            coalesce(max(built_as_of_date), {{ as_of_date() }}) as built_as_of_date

        from {{ this }}

    ),

    replaced_extracts as (

        select
            {{ is_any_extract_replaced_since('built.loaded_through', 'built.built_as_of_date') }}
                as is_any_replaced

        from built

    ),

    deal_versions as (

        {{ deal_version_probabilities() }}

    ),

    probability_scales as (

        {{ probability_scale_changes('deal_versions', 'built') }}

    ),

    changed_versions as (

        select deal_versions.deal_id

        from deal_versions
        cross join built
        left join probability_scales
            on deal_versions.pipeline = probability_scales.pipeline
        where
            deal_versions.loaded_at > built.loaded_through
            or probability_scales.is_percent <> probability_scales.was_percent

    ),

    changed_field_history as (

        select deal_field_history.deal_id

        from {{ ref('int_source_deal_field_history') }} as deal_field_history
        cross join built
        where deal_field_history.loaded_at > built.loaded_through

    ),

    -- Every deal, so the pre-hook empties the table and the model rebuilds them all
    -- (the watermark gone, every version is loaded since): a late or re-delivered drop
    -- can take a version, or a deal's every version, away.
    replaced_deals as (

        {{ built_deals_if_any_extract_replaced('replaced_extracts') }}

    )

    select deal_id from changed_versions
    union
    select deal_id from changed_field_history
    union
    select deal_id from replaced_deals
{%- endmacro %}

{#- Pre-hook: delete the rows of every changed deal. Empty on a full build. -#}
{% macro delete_changed_deal_version_deals() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where deal_id in ({{ deal_version_deals_changed_since_last_build() }})
    {%- endif -%}
{%- endmacro %}
