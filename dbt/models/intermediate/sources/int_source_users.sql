with

user_versions as (

    select * from {{ ref('int_source_user_versions') }}

),

-- The current version is the latest by updated_at.
versions_ranked as (

    select
        user_versions.*,
        row_number() over (
            partition by user_id
            order by updated_at desc, extract_date desc, loaded_at desc, source_row desc
        ) as recency_rank

    from user_versions

),

current_versions as (

    select
        source_system,
        user_version_id,
        user_id,
        manager_id,
        full_name,
        email,
        role,
        team,
        region,
        ote_currency,
        ote_amount,
        is_active,
        hired_at,
        updated_at,
        extract_date,
        source_file,
        source_row,
        loaded_at

    from versions_ranked
    where recency_rank = 1

)

select * from current_versions
