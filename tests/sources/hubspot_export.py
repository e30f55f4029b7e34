"""A HubSpot drop made of Fivetran's HubSpot seed tables
(tests/fixtures/third_party/fivetran_hubspot).

Fivetran's seeds leave every deal's pipeline and stage empty, and hash the pipelines'
and stages' ids and labels, so nothing in them can be mapped. The drop written here
keeps every file as Fivetran wrote it except:
- `deal_pipeline_stage`: HubSpot's default sales pipeline (`default`, which
  `deal_pipeline` has) is added, its seven standard stages with their labels, flags and
  probabilities, but `qualifiedtobuy` at 0.3 (as a portal that edited it), so the test
  sees HubSpot's probability win over the seed's default (0.4);
- `deal`: deal i (file order) is put in pipeline `default`, stage STAGE_IDS[i % 7],
  amount 1000 + 100 i, closedate = createdate + 10 days (the seeds have no amounts
  or close dates); its 22 deals without an owner stay so (the gate warns, the marts
  credit them to the rep and team `unassigned`);
- `deal_company`: deal i is associated with company i % 24 (the seeds' two associations
  name deals that do not exist; a closed deal needs an account in the marts);
- `deal_stage`: its 13 stage entries are moved onto the first 13 deals, each with the
  stage that deal is in, entered at the deal's creation (as HubSpot dates a first
  stage), so the stage history reaches the marts.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
from third_party import THIRD_PARTY_DIR, write_drop

DROP_DAY = date(2021, 1, 31)
TABLES = (
    "deal",
    "deal_company",
    "deal_pipeline",
    "deal_pipeline_stage",
    "deal_stage",
    "deal_property_history",
    "owner",
    "team",
    "owner_team",
    "company",
    "engagement",
    "engagement_call",
    "engagement_meeting",
    "engagement_email",
    "engagement_deal",
)

# HubSpot's default sales pipeline: stage id, label, probability, closed, won.
DEFAULT_PIPELINE_STAGES = (
    ("appointmentscheduled", "Appointment Scheduled", "0.2", "false", "false"),
    ("qualifiedtobuy", "Qualified To Buy", "0.3", "false", "false"),
    ("presentationscheduled", "Presentation Scheduled", "0.6", "false", "false"),
    ("decisionmakerboughtin", "Decision Maker Bought-In", "0.8", "false", "false"),
    ("contractsent", "Contract Sent", "0.9", "false", "false"),
    ("closedwon", "Closed Won", "1.0", "true", "true"),
    ("closedlost", "Closed Lost", "0.0", "true", "false"),
)
STAGE_IDS = tuple(stage[0] for stage in DEFAULT_PIPELINE_STAGES)


def hubspot_dir() -> Path:
    return THIRD_PARTY_DIR / "fivetran_hubspot"


def read_table(name: str) -> pd.DataFrame:
    return pd.read_csv(hubspot_dir() / f"{name}_data.csv", dtype=str, keep_default_na=False)


def deals_in_default_pipeline() -> pd.DataFrame:
    deals = read_table("deal")
    position = pd.RangeIndex(len(deals))
    created = pd.to_datetime(deals["property_createdate"])
    return deals.assign(
        deal_pipeline_id="default",
        deal_pipeline_stage_id=[STAGE_IDS[i % len(STAGE_IDS)] for i in position],
        property_amount=[str(1000 + 100 * i) for i in position],
        property_closedate=(created + pd.Timedelta(days=10)).dt.strftime("%Y-%m-%d %H:%M:%S"),
    )


def deals_with_companies(deals: pd.DataFrame) -> pd.DataFrame:
    companies = read_table("company")["id"]
    associations = pd.DataFrame(
        {
            "company_id": [companies.iloc[i % len(companies)] for i in range(len(deals))],
            "deal_id": deals["deal_id"].to_numpy(),
            "type_id": "5",
            "category": "HUBSPOT_DEFINED",
        }
    )
    return pd.concat([read_table("deal_company"), associations], ignore_index=True)


def pipeline_stages_with_the_default_pipeline() -> pd.DataFrame:
    stages = read_table("deal_pipeline_stage")
    default_stages = pd.DataFrame(
        [
            {
                "_fivetran_deleted": "FALSE",
                "active": "TRUE",
                "closed_won": won,
                "is_closed": closed,
                "display_order": str(order),
                "probability": probability,
                "stage_id": stage_id,
                "label": label,
                "pipeline_id": "default",
            }
            for order, (stage_id, label, probability, closed, won) in enumerate(
                DEFAULT_PIPELINE_STAGES
            )
        ]
    )
    return pd.concat([stages, default_stages], ignore_index=True).fillna("")


def stage_history_on_the_first_deals(deals: pd.DataFrame) -> pd.DataFrame:
    history = read_table("deal_stage")
    first_deals = deals.iloc[: len(history)]
    # HubSpot dates a deal's first stage entry at its creation; the seeds' dates belong
    # to other deals (created a year later), which would contradict these deals' history.
    entered = first_deals["property_createdate"].to_numpy()
    return history.assign(
        deal_id=first_deals["deal_id"].to_numpy(),
        value=first_deals["deal_pipeline_stage_id"].to_numpy(),
        date_entered=entered,
        _fivetran_start=entered,
    )


def write_hubspot_drop(landing: Path, staged: Path, deals: pd.DataFrame | None = None) -> Path:
    """The drop of DROP_DAY in `landing`, its edited files written to `staged` first;
    `deals` replaces the deal file (a test's broken export)."""
    deals = deals_in_default_pipeline() if deals is None else deals
    edited = {
        "deal": deals,
        "deal_company": deals_with_companies(deals_in_default_pipeline()),
        "deal_pipeline_stage": pipeline_stages_with_the_default_pipeline(),
        "deal_stage": stage_history_on_the_first_deals(deals_in_default_pipeline()),
    }
    files = {f"{name}.csv": hubspot_dir() / f"{name}_data.csv" for name in TABLES}
    for name, frame in edited.items():
        frame.to_csv(staged / f"{name}.csv", index=False)
        files[f"{name}.csv"] = staged / f"{name}.csv"
    return write_drop(landing, DROP_DAY, "hubspot", files)
