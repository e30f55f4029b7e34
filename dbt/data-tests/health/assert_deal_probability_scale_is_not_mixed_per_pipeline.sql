-- docs/metrics.md "Probability": the scale (0-1 or 0-100) is decided per pipeline from all its
-- deals' values. A pipeline holding both fractions strictly between 0 and 1 and values
-- above 1 mixes scales: on 0-100 its 0.35 reads as 0.35%, not 35%.
-- Warn, not error: the rule still gives every deal a defined probability and the marts
-- stay correct for the majority scale; blocking publishing for a few mistyped deals
-- would hide every other figure. The warning tells the CRM owners to fix their inputs.
{{ config(severity='warn') }}

with

deal_versions as (

    select * from {{ ref('int_source_deal_versions') }}

),

probability_scales_per_pipeline as (

    select
        pipeline,
        count(distinct case when probability > 0 and probability < 1 then deal_id end)
            as deals_with_fractions,
        count(distinct case when probability > 1 then deal_id end) as deals_above_one

    from deal_versions
    group by pipeline

)

select * from probability_scales_per_pipeline
where deals_with_fractions > 0 and deals_above_one > 0
