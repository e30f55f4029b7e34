with

currency_rates as (

    select * from {{ ref('currency_rates') }}

),

rate_periods as (

    select
        currency,
        cast(rate_to_reporting as {{ dbt.type_numeric() }}) as rate_to_reporting,
        cast(valid_from as date) as valid_from,
        lead(cast(valid_from as date)) over (
            partition by currency order by valid_from
        ) as valid_to

    from currency_rates

)

select * from rate_periods
