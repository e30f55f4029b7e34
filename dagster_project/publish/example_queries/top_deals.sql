-- Top deals: the company's 20 largest open deals by weighted amount on the latest
-- as-of date, with what the Monday review asks about (next step, stalled, last touch).
select
    deal_rank,
    deal_name,
    account_name,
    owner_name,
    stage,
    amount,
    weighted_amount,
    expected_close_date,
    next_step,
    days_since_activity,
    is_stalled
from marts.mart_top_deals
where
    level = 'company'
    and as_of_date = (select max(as_of_date) from marts.mart_top_deals)
order by deal_rank
