-- Every currency a deal, a quota or an OTE is in must have a rate into the reporting
-- currency (var reporting_currency) in the seed currency_rates: without one its amounts
-- would convert to nothing. One row per such currency, naming the reporting currency;
-- it fails when reporting_currency is changed without adding the rates into it.
-- Fix: add rows (from_currency, to_currency = the reporting currency, rate, valid_from)
-- to seeds/currency_rates.csv.

with

deal_versions as (

    select * from {{ ref('int_deal_versions') }}

),

quotas as (

    select * from {{ ref('int_source_quotas') }}

),

users as (

    select * from {{ ref('int_source_users') }}

),

rate_periods as (

    select * from {{ ref('int_currency_rate_periods') }}

),

currencies_in_use as (

    select currency from deal_versions
    union
    select currency from quotas
    union
    select ote_currency as currency from users

),

currencies_with_a_rate as (

    select distinct currency from rate_periods

),

currencies_without_a_rate as (

    select
        currencies_in_use.currency,
        '{{ var("reporting_currency") }}' as reporting_currency

    from currencies_in_use
    left join currencies_with_a_rate
        on currencies_in_use.currency = currencies_with_a_rate.currency
    where
        currencies_in_use.currency is not null
        and currencies_with_a_rate.currency is null

)

select * from currencies_without_a_rate
