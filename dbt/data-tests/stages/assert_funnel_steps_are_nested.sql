-- mart_funnel: a later step implies the earlier ones, so each step counts at most the
-- leads of the step before (won <= opportunities <= sqls <= mqls <= leads), and every
-- step rate lies in [0, 1]. A row returned here is a cohort and source that breaks it.

with

funnel as (

    select * from {{ ref('mart_funnel') }}

),

broken_rows as (

    select
        cohort_month,
        lead_source,
        leads,
        mqls,
        sqls,
        opportunities,
        won

    from funnel
    where
        mqls > leads
        or sqls > mqls
        or opportunities > sqls
        or won > opportunities
        or lead_to_mql_rate not between 0 and 1
        or mql_to_sql_rate not between 0 and 1
        or sql_to_opportunity_rate not between 0 and 1
        or opportunity_to_won_rate not between 0 and 1

)

select * from broken_rows
