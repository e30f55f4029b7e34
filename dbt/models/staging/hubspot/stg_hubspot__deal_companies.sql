with

source as (

    select * from {{ source('hubspot', 'hubspot__deal_company') }}

),

-- Every delivered deal-company association: the one that is the deal's account is
-- decided in int_hubspot__deal_versions.
renamed as (

    select
        {{ to_string('deal_id') }} as deal_id,
        {{ to_string('company_id') }} as company_id,
        {{ to_string('type_id') }} as association_type_id,
        {{ lineage_columns() }}

    from source

)

select * from renamed
