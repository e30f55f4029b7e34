with

user_versions as (

    select * from {{ ref('int_source_user_versions') }}

),

-- The state at the end of a day is the day's last version.
last_version_per_day as (

    select
        user_versions.*,
        cast(updated_at as date) as version_day,
        row_number() over (
            partition by user_id, cast(updated_at as date)
            order by updated_at desc, extract_date desc
        ) as recency_in_day

    from user_versions

),

daily_versions as (

    select * from last_version_per_day
    where recency_in_day = 1

),

periods as (

    select
        user_id,
        full_name,
        role,
        team,
        region,
        manager_id,
        is_active,
        -- A user's first known version also covers the days before it was extracted:
        -- a rep's team before the first extract is the best evidence there is.
        case
            when row_number() over (partition by user_id order by version_day) = 1
                then cast('1900-01-01' as date)
            else version_day
        end as valid_from_date,
        lead(version_day) over (partition by user_id order by version_day) as valid_to_date

    from daily_versions

)

select * from periods
