-- depends_on: {{ ref('stg_canonical__extracts') }}
with

activity_versions as (

    select * from {{ ref('stg_canonical__activity_versions') }}

),

{% if is_incremental() %}

-- An incremental run ranks again only the activities with a version loaded since the
-- last build, or whose row came from a load since replaced (macros/staging_incremental.sql);
-- every other activity's versions are unchanged.
changed_activity_ids as (

    {{ keys_to_rank_again(
        'activity_id', ref('stg_canonical__activity_versions'), 'versions.activity_id',
        'versions.loaded_at'
    ) }}

),

{% endif %}

versions_to_rank as (

    select activity_versions.*

    from activity_versions
    {% if is_incremental() %}
        inner join changed_activity_ids
            on activity_versions.activity_id = changed_activity_ids.activity_id
    {% endif %}

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
