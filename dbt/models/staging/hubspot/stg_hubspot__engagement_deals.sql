with

source as (

    select * from {{ source('hubspot', 'hubspot__engagement_deal') }}

),

-- Every delivered engagement-deal association: the deal an engagement counts on is
-- decided in int_hubspot__activities.
renamed as (

    select
        {{ to_string('engagement_id') }} as engagement_id,
        {{ to_string('deal_id') }} as deal_id,
        {{ lineage_columns() }}

    from source

)

select * from renamed
