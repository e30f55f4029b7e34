with

currency_rates as (

    select * from {{ ref('currency_rates') }}

),

-- Only the rates into the reporting currency (var reporting_currency) count: a seed kept
-- for another reporting currency converts nothing, and the test
-- assert_every_currency_has_a_rate_to_the_reporting_currency says which rate is missing.
rates_to_reporting as (

    select
        from_currency as currency,
        cast(rate as {{ dbt.type_numeric() }}) as rate_to_reporting,
        cast(valid_from as date) as valid_from

    from currency_rates
    where
        to_currency = '{{ var("reporting_currency") }}'
        and from_currency <> to_currency

),

-- An amount already in the reporting currency keeps its value, on every day.
reporting_currency as (

    select
        '{{ var("reporting_currency") }}' as currency,
        cast(1 as {{ dbt.type_numeric() }}) as rate_to_reporting,
        cast('1900-01-01' as date) as valid_from

),

rates as (

    select * from rates_to_reporting
    union all
    select * from reporting_currency

),

rate_periods as (

    select
        currency,
        rate_to_reporting,
        valid_from,
        lead(valid_from) over (partition by currency order by valid_from) as valid_to

    from rates

)

select * from rate_periods
