with

deal_versions as (

    select * from {{ ref('stg_canonical__deal_versions') }}

),

-- The current version is the latest by updated_at; deleted deals stay, flagged.
versions_ranked as (

    select
        deal_versions.*,
        row_number() over (
            partition by deal_id
            order by updated_at desc, extract_date desc, loaded_at desc, source_row desc
        ) as recency_rank

    from deal_versions

),

current_versions as (

    select
        deal_version_id,
        deal_id,
        account_id,
        owner_id,
        deal_name,
        pipeline,
        deal_type,
        stage,
        currency,
        lost_reason,
        next_step,
        obstacles,
        champion,
        lead_source,
        amount,
        probability,
        is_deleted,
        expected_close_date,
        created_at,
        closed_at,
        updated_at,
        extract_date,
        source_file,
        source_row,
        loaded_at

    from versions_ranked
    where recency_rank = 1

)

select * from current_versions
