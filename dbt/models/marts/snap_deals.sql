with

deal_versions as (

    select * from {{ ref('int_deal_versions') }}

),

{% if is_incremental() %}

-- The deals int_deal_versions wrote rows of since this table's last build (later than
-- its latest built_at): in this command, or in one that stopped before this model.
-- Every other deal's versions are unchanged. Read from the relation, not the import
-- CTE: DuckDB materializes a CTE read twice, whole, before filtering it.
rebuilt_deals as (

    select distinct rebuilt_versions.deal_id

    from {{ ref('int_deal_versions') }} as rebuilt_versions
    where rebuilt_versions.built_at > (
        select
            coalesce(
                max(built_rows.built_at), cast('1900-01-01' as {{ dbt.type_timestamp() }})
            )
        from {{ this }} as built_rows
    )

),

{% endif %}

versions_to_write as (

    select deal_versions.*

    from deal_versions
    {% if is_incremental() %}
        inner join rebuilt_deals
            on deal_versions.deal_id = rebuilt_deals.deal_id
    {% endif %}

),

final as (

    select
        deal_version_id,
        deal_id,
        version_number,
        account_id,
        owner_id,
        deal_name,
        pipeline,
        deal_type,
        stage,
        stage_order,
        -- Typed as the contract says on every engine: a seed's text is varchar on
        -- PostgreSQL, and an incremental run refuses a column whose type moved.
        cast(forecast_category as {{ dbt.type_string() }}) as forecast_category,
        is_open,
        is_won,
        is_lost,
        is_deleted,
        currency,
        amount_original,
        probability,
        expected_close_date,
        close_date,
        lost_reason,
        next_step,
        obstacles,
        champion,
        lead_source,
        created_at,
        closed_at,
        stage_entered_at,
        valid_from,
        valid_to,
        is_current,
        extract_date,
        {{ build_started_at() }} as built_at

    from versions_to_write

)

select * from final
