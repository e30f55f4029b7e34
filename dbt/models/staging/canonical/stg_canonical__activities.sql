with

activity_versions as (

    select * from {{ ref('stg_canonical__activity_versions') }}

),

versions_to_rank as (

    select activity_versions.*

    from activity_versions

),

-- The current version is the latest by updated_at.
versions_ranked as (

    select
        versions_to_rank.*,
        row_number() over (
            partition by activity_id
            order by updated_at desc, extract_date desc, loaded_at desc, source_row desc
        ) as recency_rank

    from versions_to_rank

),

current_versions as (

    select
        activity_id,
        owner_id,
        deal_id,
        account_id,
        lead_id,
        activity_type,
        direction,
        status,
        outcome,
        meeting_type,
        duration_seconds,
        scheduled_at,
        completed_at,
        updated_at,
        extract_date,
        source_file,
        source_row,
        loaded_at

    from versions_ranked
    where recency_rank = 1

)

select * from current_versions
