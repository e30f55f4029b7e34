with

deal_versions as (

    select * from {{ ref('int_deal_versions') }}

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
        extract_date

    from deal_versions
    {{ where_deal_changed('deal_versions', 'valid_from') }}

)

select * from final
