with

source as (

    select * from {{ source('canonical', '_drops') }}

),

renamed as (

    select

        ---------- strings
        mode as extract_mode,
        source as extract_source,
        fingerprint as extract_fingerprint,
        drop_path,

        ---------- dates
        cast(drop_date as date) as extract_date,

        ---------- timestamps
        cast(loaded_at as {{ dbt.type_timestamp() }}) as loaded_at

    from source

)

select * from renamed
