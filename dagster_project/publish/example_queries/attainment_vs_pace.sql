-- Attainment vs pace: is each rep on pace for quota this quarter?
-- One row per rep for the quarter that holds the as-of date. Chart attainment_pct
-- against expected_pace_pct (the share of the quarter's working days gone).
select
    entity_name as rep,
    period_start as quarter_start,
    quota,
    bookings_to_date,
    attainment_pct,
    expected_pace_pct,
    attainment_pct >= expected_pace_pct as is_on_pace,
    gap_to_quota
from marts.mart_attainment_by_period
where
    period_type = 'quarter'
    and level = 'rep'
    and is_current_period
order by attainment_pct desc, rep asc
