"""The morning digest received by a real SMTP server and a loopback webhook receiver."""

import email
import email.policy
import logging

import polars as pl
import pytest
from report_samples import AS_OF, finding, findings_frame, plain_settings

from assets.reports import deliver
from assets.reports.digest import build_digest
from assets.reports.webhook import WebhookSettings
from tests.webhook_receiver import WEBHOOK_PATH, serve_webhook

COUNTS_SCHEMA = {name: pl.Int64 for name in ("unresolved", "new", "reopened", "resolved", "acknowledged")}


def counts(*rows):
    """The rules' counts of the night: (rule_id, severity, unresolved, new, reopened, resolved, acknowledged)."""
    return pl.DataFrame(rows, schema={"rule_id": pl.String, "severity": pl.String, **COUNTS_SCHEMA}, orient="row")


def links(row):
    """Record links as the digest receives them: one per key the finding names."""
    return {"Zuora subscription": f"https://zuora.example/subscriptions/{row['subscription_name']}"}


NIGHT = findings_frame(
    finding("fcritnew", "new", rule_id="paid_but_free", severity="critical", subject_id="A-S1",
            subscription_name="A-S1", summary="Paid Ultimate, group on Free"),
    finding("fhighreo", "reopened", rule_id="seat_count_mismatch", severity="high", subject_id="A-S2",
            subscription_name="A-S2", summary="25 seats billed, license has 20"),
    finding("fcritack", "new", rule_id="paid_but_free", severity="critical", subject_id="A-S3",
            subscription_name="A-S3", summary="Acknowledged one", acknowledged=True, ack_reason="known",
            ack_until=AS_OF.replace(year=2030)),
    finding("fmednew", "new", rule_id="term_mismatch", severity="medium", subject_id="A-S4", summary="Medium one"),
    finding("fhighold", "open", rule_id="seat_count_mismatch", severity="high", subject_id="A-S5"),
    finding("fgone", "resolved", rule_id="term_mismatch", severity="medium", subject_id="A-S6"),
)
NIGHT_COUNTS = counts(
    ("paid_but_free", "critical", 2, 2, 0, 0, 1),
    ("seat_count_mismatch", "high", 2, 0, 1, 0, 0),
    ("term_mismatch", "medium", 1, 1, 0, 1, 0),
    ("retired_rate_plan_sold", "low", 0, 0, 0, 0, 0),
)


def received(server):
    [delivered] = server.inbox.messages
    return email.message_from_bytes(delivered["content"], policy=email.policy.default)


def test_a_night_with_new_critical_findings_reaches_the_mail_and_the_webhook(smtp_server, report_files, caplog):
    caplog.set_level(logging.DEBUG)
    digest = build_digest(NIGHT, NIGHT_COUNTS, AS_OF, links)
    with serve_webhook() as receiver:
        results = deliver(
            report_files, plain_settings(smtp_server.port), None, digest=digest,
            hook=WebhookSettings(receiver.url, trust_env=False),
        )

    assert [(r.channel, r.ok, r.target) for r in results] == [
        ("email", True, f"127.0.0.1:{smtp_server.port}"),
        ("webhook", True, f"http://127.0.0.1:{receiver.port}"),
    ]
    message = received(smtp_server)
    assert message["Subject"].startswith(f"lnr-audit {AS_OF}: 1 critical and 1 high new or reopened")
    body = message.get_body(("plain",)).get_content()
    alerts = [line for line in body.splitlines() if line.startswith("- [")]
    assert alerts == [
        "- [critical] paid_but_free (new) A-S1: Paid Ultimate, group on Free",
        "- [high] seat_count_mismatch (reopened) A-S2: 25 seats billed, license has 20",
    ]
    assert "  Zuora subscription: https://zuora.example/subscriptions/A-S1" in body
    assert "fcritack" not in body and "Acknowledged one" not in body
    assert "Medium one" not in body
    assert "Resolved on 2024-05-02: 1" in body and "- term_mismatch: 1" in body
    table = body[body.index("Per rule:"):].splitlines()
    assert table[1].split() == ["rule_id", "severity", "unresolved", "new", "reopened", "resolved", "acknowledged"]
    assert [line.split()[0] for line in table[2:5]] == ["paid_but_free", "seat_count_mismatch", "term_mismatch"]
    assert "retired_rate_plan_sold" not in body.split("Attached:")[0].split("Per rule:")[1].split("rule_id")[1][:200]

    [post] = receiver.posts
    assert post["content_type"] == "application/json"
    payload = post["json"]
    assert payload["text"] == message["Subject"]
    sections = [block["text"]["text"] for block in payload["blocks"] if block["type"] == "section"]
    critical = next(text for text in sections if "paid_but_free" in text and "A-S1" in text)
    assert critical.startswith("*critical* `paid_but_free` (new) A-S1\nPaid Ultimate, group on Free")
    assert "<https://zuora.example/subscriptions/A-S1|Zuora subscription>" in critical
    assert not any("fcritack" in text or "A-S3" in text for text in sections)
    assert WEBHOOK_PATH not in caplog.text and "s3cr3t" not in repr(results)


def test_nothing_is_sent_on_a_night_with_nothing_new_unless_always(smtp_server, report_files, tmp_path):
    quiet = findings_frame(
        finding("fhighold", "open", severity="high"),
        finding("fcritack", "reopened", severity="critical", acknowledged=True, ack_reason="known",
                ack_until=AS_OF.replace(year=2030)),
    )
    digest = build_digest(quiet, counts(("ZR-001", "high", 2, 0, 1, 0, 1)), AS_OF, links)
    assert digest.alerts == () and not digest.has_news
    with serve_webhook() as receiver:
        hook = WebhookSettings(receiver.url, trust_env=False)
        results = deliver(report_files, plain_settings(smtp_server.port), tmp_path / "share", digest=digest, hook=hook)
        assert [r.channel for r in results] == ["folder"]
        assert smtp_server.inbox.messages == [] and receiver.posts == []

        always = deliver(report_files, plain_settings(smtp_server.port), None, digest=digest, hook=hook, always=True)
    assert [(r.channel, r.ok) for r in always] == [("email", True), ("webhook", True)]
    assert "No new or reopened critical or high findings." in received(smtp_server).get_body(("plain",)).get_content()
    assert len(receiver.posts) == 1


@pytest.mark.parametrize(("answers", "attempts", "error"), [([503, 503, 200], 3, None), ([500], 3, "answered 500"),
                                                             ([403], 1, "refused the message: 403")])
def test_webhook_failures_follow_the_delivery_retry_rules(report_files, caplog, answers, attempts, error):
    digest = build_digest(NIGHT, NIGHT_COUNTS, AS_OF, links)
    with serve_webhook(answers) as receiver:
        [result] = deliver(
            report_files, None, None, digest=digest, hook=WebhookSettings(receiver.url, trust_env=False), backoff=0.01
        )
    assert (result.ok, result.attempts, receiver.requests) == (error is None, attempts, attempts)
    if error:
        assert error in result.error
    assert "s3cr3t" not in caplog.text and "s3cr3t" not in (result.error or "")
    assert "s3cr3t" not in repr(WebhookSettings(receiver.url))


def test_an_unreachable_webhook_is_reported_without_its_url(report_files, closed_port):
    digest = build_digest(NIGHT, NIGHT_COUNTS, AS_OF, links)
    url = f"http://127.0.0.1:{closed_port}{WEBHOOK_PATH}"
    [result] = deliver(report_files, None, None, digest=digest, hook=WebhookSettings(url, trust_env=False),
                       attempts=2, backoff=0.01)
    assert (result.ok, result.attempts) == (False, 2)
    assert result.error.startswith("WebhookUnavailable") and "s3cr3t" not in result.error


def test_every_webhook_section_fits_slack_and_a_long_table_stays_a_closed_code_block():
    from assets.reports.digest import slack_payload

    many = counts(*((f"rule_{n:03d}_with_a_long_name_for_width", "medium", 9, 9, 0, 0, 0) for n in range(60)))
    payload = slack_payload(build_digest(NIGHT, many, AS_OF, links))

    texts = [block["text"]["text"] for block in payload["blocks"]]
    assert all(len(text) <= 3000 for text in texts)
    table = next(text for text in texts if text.startswith("```"))
    assert table.endswith("…\n```") and "rule_000_with" in table and "rule_059_with" not in table
