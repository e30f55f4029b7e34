-- Lead funnel: how many leads of each monthly cohort became MQLs, SQLs,
-- opportunities and wins (all sources together), with each step's conversion rate.
with cohorts as (
    select
        cohort_month,
        sum(leads) as leads,
        sum(mqls) as mqls,
        sum(sqls) as sqls,
        sum(opportunities) as opportunities,
        sum(won) as won
    from marts.mart_funnel
    group by cohort_month
)

select
    cohort_month,
    leads,
    mqls,
    sqls,
    opportunities,
    won,
    cast(mqls as double) / nullif(leads, 0) as lead_to_mql_rate,
    cast(sqls as double) / nullif(mqls, 0) as mql_to_sql_rate,
    cast(opportunities as double) / nullif(sqls, 0) as sql_to_opportunity_rate,
    cast(won as double) / nullif(opportunities, 0) as opportunity_to_won_rate
from cohorts
order by cohort_month
