with

source as (

    select * from {{ source('hubspot', 'hubspot__engagement_deal') }}

),

-- Every delivered engagement-deal association: the deal an engagement counts on is
-- decided in int_hubspot__activities.
renamed as (

    select
        {{ cast_columns(to_string, ['engagement_id', 'deal_id']) }},
        {{ lineage_columns() }}

    from source

)

select * from renamed
