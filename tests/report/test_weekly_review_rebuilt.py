"""`pipehealth report` on a copy of the shared published sample: CRM text holding markup
is shown as text and never run, and each team's and rep's page shows its own figures."""

from __future__ import annotations

import duckdb
import pytest
from browser import opened, served
from pages import assert_figures_are_the_served_marts, wait_for_charts
from pipeline_runs import copy_state

from dagster_project.report.build import ReportResult, rebuild_report
from dagster_project.settings import Paths

# A deal name, next step and lost reason as a careless or hostile CRM user may type them.
MARKUP_NAME = '<img src=x onerror="alert(1)">Acme <b>Corp</b><script>alert(2)</script>'
MARKUP_NEXT_STEP = "</td></tr></table><script>alert(3)</script>"
MARKUP_LOST_REASON = "<svg onload=alert(4)>"


@pytest.fixture(scope="module")
def copied(published_sample: Paths, tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """A copy of the published sample whose served marts hold CRM text with markup."""
    paths = copy_state(published_sample, tmp_path_factory.mktemp("review"))
    with duckdb.connect(str(paths.served_database)) as served_marts:
        served_marts.execute(
            "update marts.mart_top_deals set deal_name = ?, next_step = ? "
            "where level = 'company' and deal_rank = 1",
            [MARKUP_NAME, MARKUP_NEXT_STEP],
        )
        served_marts.execute(
            "update marts.mart_deal_outcomes set lost_reason = ? where outcome = 'lost'",
            [MARKUP_LOST_REASON],
        )
        served_marts.execute(
            "update marts.mart_deal_changes set deal_name = ?, lost_reason = ? "
            "where change_kind = 'lost'",
            [MARKUP_NAME, MARKUP_LOST_REASON],
        )
    return paths


@pytest.fixture(scope="module")
def report(copied: Paths) -> ReportResult:
    return rebuild_report(copied)


def test_crm_text_with_markup_is_shown_as_text_and_never_run(report: ReportResult) -> None:
    with served(report.index.parent) as base_url, opened(base_url + "index.html") as shown:
        wait_for_charts(shown)
        page = shown.page
        assert shown.dialogs == []
        assert shown.console_errors == []
        assert page.locator(".deal-name").first.text_content() == MARKUP_NAME
        text = page.inner_text("body")
        assert MARKUP_NEXT_STEP in text
        assert MARKUP_LOST_REASON in text
        # Parsed as markup, each would have added an element of its own.
        injected = "img[src=x], main svg[onload], main script:not([type='application/json'])"
        assert page.locator(injected).count() == 0
        assert page.locator("table.deals tbody tr").count() == 20
        lost_this_week = page.locator("table.changes tr.kind-lost td:nth-child(2)")
        assert lost_this_week.count() > 0
        assert lost_this_week.first.text_content() == MARKUP_NAME


def test_team_and_rep_pages_show_their_own_figures(report: ReportResult, copied: Paths) -> None:
    folder = report.index.parent
    pages = [sorted(folder.glob("team-*.html"))[0], sorted(folder.glob("rep-*.html"))[0]]
    with served(folder) as base_url:
        for page_file in pages:
            with opened(base_url + page_file.name) as shown:
                wait_for_charts(shown)
                assert shown.console_errors == []
                assert shown.off_loopback_requests == []
                rendered = shown.page.eval_on_selector_all(
                    "[data-chart]", "areas => areas.map(area => area.dataset.rendered)"
                )
                assert rendered and set(rendered) == {"true"}
                entities = shown.page.eval_on_selector_all(
                    "[data-metric]", "elements => elements.map(element => element.dataset.entity)"
                )
                (entity_id,) = set(entities)
                assert entity_id != "company"
                assert (
                    assert_figures_are_the_served_marts(shown, copied.served_database, entity_id)
                    >= 10
                )


def test_the_report_of_a_rebuild_replaces_the_served_one(
    report: ReportResult, copied: Paths
) -> None:
    assert report.index == copied.report_dir / "index.html"
    assert report.pages == len(list(copied.report_dir.glob("*.html")))
    # One report per publish folder: the one the run built is gone.
    assert len(list(copied.report_dir.resolve().parent.glob("report-*"))) == 1


def test_a_rep_page_links_to_the_company_its_team_and_the_team_s_reps(
    report: ReportResult, copied: Paths
) -> None:
    """The navigation a sales leader follows: company -> team -> rep and back. It lists
    one team's pages, not every rep's, so a page stays small at 2,000 reps."""
    folder = report.index.parent
    with duckdb.connect(str(copied.served_database), read_only=True) as served_marts:
        team, team_name, reps_in_team, teams = served_marts.execute(
            "with latest as (select * from marts.mart_pipeline_health where as_of_date = "
            "(select max(as_of_date) from marts.mart_pipeline_health)) "
            "select plan.team, any_value(team_row.entity_name), count(distinct plan.owner_id), "
            "(select count(*) from latest where level = 'team') "
            "from marts.mart_quota_plan as plan "
            "inner join latest as rep_row on rep_row.level = 'rep' "
            "and rep_row.entity_id = plan.owner_id "
            "inner join latest as team_row on team_row.level = 'team' "
            "and team_row.entity_id = plan.team "
            "group by plan.team order by count(distinct plan.owner_id) desc, plan.team limit 1"
        ).fetchone()
    assert reps_in_team > 1
    team_page = next(
        path.name
        for path in sorted(folder.glob("team-*.html"))
        if f'data-entity="{team}"' in path.read_text(encoding="utf-8")
    )
    with served(folder) as base_url, opened(base_url + team_page) as shown:
        page = shown.page
        page.click("nav summary")
        assert page.locator("nav a").first.text_content() == "Company"
        assert page.locator("nav a[aria-current]").all_text_contents() == [team_name]
        reps = page.locator("nav li.nav-rep a")
        assert reps.count() == reps_in_team
        rep_name = reps.nth(1).text_content()
        reps.nth(1).click()
        page.wait_for_load_state()
        page.click("nav summary")
        assert page.locator("nav a[aria-current]").all_text_contents() == [rep_name]
        # Up to the team again, and across to the same reps.
        assert page.locator("nav li.nav-team a").all_text_contents() == [team_name]
        assert page.locator("nav li.nav-rep a").count() == reps_in_team
        page.locator("nav a", has_text="Company").click()
        page.wait_for_load_state()
        assert page.url.endswith("/index.html")
        page.click("nav summary")
        assert page.locator("nav a[aria-current]").all_text_contents() == ["Company"]
        assert page.locator("nav li.nav-team a").count() == teams
        assert shown.console_errors == []
