with

leads as (

    select * from {{ ref('int_source_leads') }}

),

stage_transitions as (

    select * from {{ ref('fct_stage_transitions') }}

),

as_of_bounds as (

    select {{ dbt.dateadd('day', 1, as_of_date()) }} as as_of_end

),

-- Deals in a won stage at the end of the as-of day (a won deal reopened since is not).
won_deals as (

    select deal_id

    from stage_transitions
    where is_current_stage and is_won

),

-- Leads created by the end of the as-of day, not deleted, each step counted only
-- once its timestamp has passed.
leads_as_of as (

    select
        leads.lead_id,
        leads.lead_source,
        leads.converted_deal_id,
        cast({{ dbt.date_trunc('month', 'leads.created_at') }} as date) as cohort_month,
        leads.mql_at is not null
        and leads.mql_at < as_of_bounds.as_of_end as has_mql_at,
        leads.sql_at is not null
        and leads.sql_at < as_of_bounds.as_of_end as has_sql_at,
        leads.converted_deal_id is not null
        and (
            leads.converted_at is null or leads.converted_at < as_of_bounds.as_of_end
        ) as is_opportunity

    from leads
    cross join as_of_bounds
    where
        not leads.is_deleted
        and leads.created_at < as_of_bounds.as_of_end

),

-- A later step implies the earlier ones: an opportunity is an SQL, an SQL is an MQL.
lead_steps as (

    select
        leads_as_of.lead_id,
        leads_as_of.lead_source,
        leads_as_of.cohort_month,
        leads_as_of.has_mql_at
        or leads_as_of.has_sql_at
        or leads_as_of.is_opportunity as is_mql,
        leads_as_of.has_sql_at or leads_as_of.is_opportunity as is_sql,
        leads_as_of.is_opportunity,
        leads_as_of.is_opportunity and won_deals.deal_id is not null as is_won

    from leads_as_of
    left join won_deals
        on leads_as_of.converted_deal_id = won_deals.deal_id

),

step_counts as (

    select
        cohort_month,
        lead_source,
        count(*) as leads,
        count(case when is_mql then 1 end) as mqls,
        count(case when is_sql then 1 end) as sqls,
        count(case when is_opportunity then 1 end) as opportunities,
        count(case when is_won then 1 end) as won

    from lead_steps
    group by cohort_month, lead_source

),

final as (

    select
        {{ hash_key(['cohort_month', 'lead_source']) }} as funnel_id,
        cohort_month,
        lead_source,
        leads,
        mqls,
        sqls,
        opportunities,
        won,
        cast(
            cast(mqls as {{ dbt.type_numeric() }}) / nullif(leads, 0)
            as {{ dbt.type_numeric() }}
        ) as lead_to_mql_rate,
        cast(
            cast(sqls as {{ dbt.type_numeric() }}) / nullif(mqls, 0)
            as {{ dbt.type_numeric() }}
        ) as mql_to_sql_rate,
        cast(
            cast(opportunities as {{ dbt.type_numeric() }}) / nullif(sqls, 0)
            as {{ dbt.type_numeric() }}
        ) as sql_to_opportunity_rate,
        cast(
            cast(won as {{ dbt.type_numeric() }}) / nullif(opportunities, 0)
            as {{ dbt.type_numeric() }}
        ) as opportunity_to_won_rate

    from step_counts

)

select * from final
