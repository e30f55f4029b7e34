with

source as (

    select * from {{ source('flat', 'flat__products') }}

),

renamed as (

    select

        ---------- ids
        {{ to_string('product') }} as product_id,

        ---------- strings
        {{ to_string('series') }} as series,

        ---------- numerics
        {{ to_numeric('sales_price') }} as sales_price,

        ---------- lineage
        {{ lineage_columns() }}

    from source

),

-- Products carry no updated_at: the latest extract that lists a product decides it.
current_versions as (

    {{ latest_version('renamed', ['product_id'], by_updated_at=false) }}

)

select * from current_versions
