"""The categorical values the generator writes, each list indexed by an integer code.

Simulation code works on codes (numpy integer arrays); the writer turns them into these
strings. The lead's dbt seeds (`pipeline_stages`) use the stage and pipeline names here.
"""

from __future__ import annotations

REGIONS = ("NA", "EMEA", "APAC")
NA, EMEA, APAC = range(3)

SEGMENTS = ("smb", "mid_market", "enterprise")
SEGMENT_LABELS = ("SMB", "Mid-Market", "Enterprise")
SMB, MID_MARKET, ENTERPRISE = range(3)

ROLES = ("rep", "sdr", "manager", "vp")
REP, SDR, MANAGER, VP = range(4)

CURRENCIES = ("USD", "EUR", "GBP")
USD, EUR, GBP = range(3)
# Fixed rates to USD for OTE and amount conversion; the lead's `currency_rates` seed should
# carry the same numbers so quotas and bookings line up.
USD_PER_UNIT = (1.0, 1.08, 1.27)

PIPELINES = ("new_business", "expansion")
NEW_BUSINESS_PIPELINE, EXPANSION_PIPELINE = range(2)

DEAL_TYPES = ("new_business", "expansion", "renewal")
NEW_BUSINESS, EXPANSION, RENEWAL = range(3)
DEAL_NAME_SUFFIXES = ("New Business", "Expansion", "Renewal")

STAGES = (
    "qualification",
    "discovery",
    "demo",
    "proposal",
    "negotiation",
    "closed_won",
    "closed_lost",
)
QUALIFICATION, DISCOVERY, DEMO, PROPOSAL, NEGOTIATION, CLOSED_WON, CLOSED_LOST = range(7)
OPEN_STAGE_COUNT = 5
# Default probability (0-100) per stage; reps override it now and then.
STAGE_PROBABILITY = (10, 20, 40, 60, 80, 100, 0)
FORECAST_CATEGORIES = ("omitted", "pipeline", "best_case", "commit", "closed")
OMITTED, PIPELINE, BEST_CASE, COMMIT, CLOSED = range(5)
# Each stage's forecast category, as in dbt/seeds/pipeline_stages.csv.
STAGE_FORECAST_CATEGORY = (PIPELINE, PIPELINE, PIPELINE, BEST_CASE, COMMIT, CLOSED, OMITTED)

LEAD_SOURCES = ("inbound", "outbound", "referral", "event", "partner", "paid")
LEAD_STATUSES = ("new", "mql", "sql", "converted", "disqualified")
LEAD_NEW, LEAD_MQL, LEAD_SQL, LEAD_CONVERTED, LEAD_DISQUALIFIED = range(5)

LOST_REASONS = (
    "No decision",
    "Lost to competitor",
    "Price",
    "Timing",
    "No budget",
    "Product fit",
)
LOST_REASON_WEIGHTS = (0.30, 0.25, 0.18, 0.12, 0.10, 0.05)

# Next steps a rep types, by the open stage the deal is in.
NEXT_STEPS = (
    "Book discovery call",
    "Confirm pain and budget",
    "Schedule product demo",
    "Loop in technical buyer",
    "Send proposal",
    "Review pricing with champion",
    "Send redlines to legal",
    "Get signature from CFO",
    "Security review",
    "Agree mutual close plan",
)
NEXT_STEPS_BY_STAGE = ((0, 1), (1, 2), (2, 3), (4, 5), (6, 7, 8, 9))

OBSTACLES = (
    "Budget not approved",
    "Competing priority",
    "Security questionnaire pending",
    "Incumbent contract until renewal",
    "Champion changing role",
    "Procurement process",
    "Needs SSO integration",
)

INDUSTRIES = (
    "Software",
    "Financial Services",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Education",
    "Media",
    "Logistics",
    "Professional Services",
    "Energy",
)

COUNTRIES = ("US", "CA", "GB", "DE", "FR", "NL", "SE", "ES", "AU", "SG", "JP", "IN")
# Country weights per region, same order as COUNTRIES.
COUNTRY_WEIGHTS_BY_REGION = (
    (0.86, 0.14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    (0, 0, 0.36, 0.24, 0.16, 0.10, 0.07, 0.07, 0, 0, 0, 0),
    (0, 0, 0, 0, 0, 0, 0, 0, 0.40, 0.25, 0.20, 0.15),
)

ACTIVITY_TYPES = ("call", "email", "inmail", "meeting", "demo", "task", "note")
CALL, EMAIL, INMAIL, MEETING, DEMO_ACTIVITY, TASK, NOTE = range(7)

DIRECTIONS = ("inbound", "outbound")
INBOUND, OUTBOUND = range(2)

ACTIVITY_STATUSES = ("scheduled", "completed", "no_show", "cancelled")
SCHEDULED, COMPLETED, NO_SHOW, CANCELLED = range(4)

OUTCOMES = ("connected", "no_answer", "voicemail", "replied", "bounced", "no_reply")
CONNECTED, NO_ANSWER, VOICEMAIL, REPLIED, BOUNCED, NO_REPLY = range(6)

MEETING_TYPES = ("discovery", "demo", "follow_up", "negotiation", "qbr", "onboarding")
MT_DISCOVERY, MT_DEMO, MT_FOLLOW_UP, MT_NEGOTIATION, MT_QBR, MT_ONBOARDING = range(6)

QUOTA_TYPES = ("bookings",)

HISTORY_FIELDS = ("stage", "amount", "expected_close_date", "probability", "owner_id", "currency")
