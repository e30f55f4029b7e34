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
        _extract_date as extract_date,
        _source_file as source_file,
        _source_row as source_row,
        _loaded_at as loaded_at

    from source

),

versions_ranked as (

    select
        renamed.*,
        row_number() over (
            partition by product_id
            order by extract_date desc, loaded_at desc, source_row desc
        ) as recency_rank

    from renamed

),

current_versions as (

    select
        product_id,
        series,
        sales_price,
        extract_date,
        source_file,
        source_row,
        loaded_at

    from versions_ranked
    where recency_rank = 1

)

select * from current_versions
