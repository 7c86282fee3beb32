"""The findings trend over real findings of a small world merged into the history over three nights."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from assets.trend.compute import finding_trend, trend_metadata
from checks.engine import AuditSettings, build_staging, evaluate_all
from checks.history import merge_night
from tests.checks.audit_worlds import AS_OF, World

RULE = "subscription_missing_order"
NIGHTS = (AS_OF - dt.timedelta(days=2), AS_OF - dt.timedelta(days=1), AS_OF)


@pytest.fixture(scope="module")
def history():
    """web1 (web-direct, SaaS) new, resolved, reopened; res1 (reseller, SM) new and still open; sales1
    (sales-assisted, SM) new, open, resolved tonight."""
    world = World()
    world.paid("web1", "premium-saas", account="A001")
    world.paid("res1", "premium-sm", account="A002")
    world.paid("sales1", "ultimate-sm", account="A003")
    world.account("R001", SspChannel__c="Reseller")
    world.one("zuora", "Subscription", Name="res1")["InvoiceOwnerId"] = "zacc-R001"
    web_opportunity = world.one("zuora", "Subscription", Name="web1")["OpportunityId__c"]
    world.one("salesforce", "Opportunity", Id=web_opportunity)["Web_Portal_Purchase__c"] = True
    for name in ("web1", "res1", "sales1"):
        world.remove("customersdot", "orders", subscription_name=name)
    con = world.connect()
    build_staging(con, AuditSettings(as_of=AS_OF))
    found = evaluate_all(con, AuditSettings(as_of=AS_OF)).filter(pl.col("rule_id") == RULE)
    assert sorted(found["subject_id"]) == ["res1", "sales1", "web1"]
    seen = ({"web1", "res1", "sales1"}, {"res1", "sales1"}, {"web1", "res1"})
    for night, subjects in zip(NIGHTS, seen, strict=True):
        merge_night(con, found.filter(pl.col("subject_id").is_in(subjects)), night, f"run-{night}")
    return con


def rows(trend: pl.DataFrame, rule_id: str) -> dict[tuple[str, str], tuple]:
    measures = ("new", "reopened", "resolved", "unresolved", "median_age_days")
    return {
        (row["split"], row["origin"]): tuple(row[m] for m in measures)
        for row in trend.filter(pl.col("rule_id") == rule_id).iter_rows(named=True)
    }


def test_each_rule_counts_new_reopened_resolved_and_the_age_of_what_is_unresolved(history):
    trend = finding_trend(history, AS_OF, nights=28)

    assert rows(trend, RULE) == {
        ("all", "all"): (3, 1, 2, 2, 2.0),
        ("channel", "reseller"): (1, 0, 0, 1, 2.0),
        ("channel", "sales-assisted"): (1, 0, 1, 0, None),
        ("channel", "web-direct"): (1, 1, 1, 1, 2.0),
        ("deployment", "SM"): (2, 0, 1, 1, 2.0),
        ("deployment", "SaaS"): (1, 1, 1, 1, 2.0),
    }
    assert rows(trend, "all") == rows(trend, RULE)
    assert trend["rule_id"].to_list()[:6] == ["all"] * 6
    assert set(trend["nights"]) == {28}


def test_the_window_counts_only_its_nights_but_ages_from_the_first_sighting(history):
    trend = finding_trend(history, AS_OF, nights=1)

    assert rows(trend, RULE)[("all", "all")] == (0, 1, 1, 2, 2.0)


def test_the_totals_become_numbers_the_ui_plots(history):
    values = trend_metadata(finding_trend(history, AS_OF))

    assert values["new"] == 3 and values["unresolved"] == 2 and values["median_age_days"] == 2.0
    assert values["new_by_channel/reseller"] == 1 and values["new_by_deployment/SM"] == 2
    assert all(isinstance(value, int | float) for value in values.values())


def test_a_window_without_nights_is_refused(history):
    with pytest.raises(ValueError, match="at least one night"):
        finding_trend(history, AS_OF, nights=0)


def test_the_chart_is_a_png_image(history, tmp_path):
    from PIL import Image

    from assets.trend.chart import trend_chart_png

    png = trend_chart_png(finding_trend(history, AS_OF), "Findings trend")
    (tmp_path / "trend.png").write_bytes(png)
    with Image.open(tmp_path / "trend.png") as image:
        assert image.format == "PNG" and image.width == 1200 and image.height > 100


def test_the_weekly_mail_carries_the_trend_csv_and_chart(history, tmp_path, smtp_server):
    import email
    import email.policy

    from assets.reports.delivery import send_trend
    from assets.reports.mail import SmtpSettings
    from assets.trend.chart import trend_chart_png
    from assets.trend.files import write_trend

    trend = finding_trend(history, AS_OF)
    files = write_trend(trend, trend_chart_png(trend, "trend"), tmp_path / "reports")
    settings = SmtpSettings(host="127.0.0.1", port=smtp_server.port, sender="lnr@example.com",
                            recipients=("fulfillment@example.com",), starttls=False)

    assert send_trend(AS_OF, 28, files.paths, settings).ok
    [received] = smtp_server.inbox.messages
    message = email.message_from_bytes(received["content"], policy=email.policy.default)
    assert message["Subject"] == f"lnr-audit trend: findings of the 28 nights to {AS_OF}"
    parts = {part.get_filename(): part for part in message.iter_attachments()}
    assert {name: part.get_content_type() for name, part in parts.items()} == {
        "trend.csv": "text/csv", "trend.png": "image/png"}
    assert parts["trend.png"].get_payload(decode=True) == files.chart.read_bytes()
    lines = parts["trend.csv"].get_payload(decode=True).decode("utf-8-sig").splitlines()
    assert lines[0] == '"rule_id","severity","split","origin","nights","new","reopened","resolved","unresolved",' \
        '"median_age_days"'
    assert lines[1].startswith('"all","all","all","all",28,3,1,2,2,2.0')
