with

calls as (

    select * from {{ ref('stg_hubspot__calls') }}

),

meetings as (

    select * from {{ ref('stg_hubspot__meetings') }}

),

emails as (

    select * from {{ ref('stg_hubspot__emails') }}

),

engagements as (

    select * from {{ ref('stg_hubspot__engagements') }}

),

engagement_deals as (

    select * from {{ ref('stg_hubspot__engagement_deals') }}

),

-- An engagement logged on several deals counts once, on the lowest deal id of the
-- latest delivery.
engagement_deals_ranked as (

    select
        engagement_id,
        deal_id,
        row_number() over (
            partition by engagement_id
            order by extract_date desc, deal_id asc
        ) as association_rank

    from engagement_deals

),

engagement_deal_links as (

    select
        engagement_id,
        deal_id

    from engagement_deals_ranked
    where association_rank = 1

),

activities as (

    select * from calls
    union all
    select * from meetings
    union all
    select * from emails

),

activities_linked as (

    select
        activities.activity_id,
        coalesce(activities.owner_id, engagements.owner_id) as owner_id,
        engagement_deal_links.deal_id,
        cast(null as {{ dbt.type_string() }}) as account_id,
        cast(null as {{ dbt.type_string() }}) as lead_id,
        activities.activity_type,
        activities.direction,
        activities.status,
        activities.outcome,
        activities.meeting_type,
        activities.duration_seconds,
        activities.scheduled_at,
        case when activities.status = 'completed' then activities.activity_at end as completed_at,
        {{ to_utc_timestamp(
            'coalesce(activities.last_modified, engagements.last_updated, '
            ~ 'cast(activities.extract_date as ' ~ dbt.type_string() ~ '))'
        ) }} as updated_at,
        activities.is_deleted,
        activities.extract_date,
        activities.source_file,
        activities.source_row,
        activities.loaded_at

    from activities
    left join engagements on activities.activity_id = engagements.engagement_id
    left join engagement_deal_links
        on activities.activity_id = engagement_deal_links.engagement_id

),

-- The current version is the latest by updated_at; deleted activities leave.
current_versions as (

    {{ latest_version('activities_linked', ['activity_id']) }}

)

select * from current_versions
where not is_deleted
