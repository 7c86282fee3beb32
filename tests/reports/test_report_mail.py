"""Mailing the reports through real local SMTP servers: message contents, STARTTLS, AUTH and refusals."""

import email
import email.policy
import logging

import pytest
from report_samples import RECIPIENTS, SENDER, USERNAME, plain_settings, tls_settings

from assets.reports import SmtpSettings, send_reports
from assets.reports.mail import compose_message


def received(server, index: int = 0) -> email.message.EmailMessage:
    return email.message_from_bytes(server.inbox.messages[index]["content"], policy=email.policy.default)


def test_the_reports_arrive_attached_with_a_summary_body(smtp_server, report_files):
    result = send_reports(report_files, plain_settings(smtp_server.port))

    assert (result.channel, result.ok, result.attempts, result.error) == ("email", True, 1, None)
    [delivered] = smtp_server.inbox.messages
    assert delivered["mail_from"] == SENDER
    assert delivered["rcpt_tos"] == list(RECIPIENTS)
    message = received(smtp_server)
    assert message["Subject"] == "lnr-audit 2024-05-02: 2 unresolved, 1 new, 1 resolved"
    assert message["To"] == ", ".join(RECIPIENTS)
    attachments = {part.get_filename(): part for part in message.iter_attachments()}
    assert list(attachments) == [path.name for path in report_files.paths]
    for path in report_files.paths:
        assert attachments[path.name].get_content_type() == "text/csv"
        assert attachments[path.name].get_payload(decode=True) == path.read_bytes()


def test_the_body_gives_the_night_totals_and_a_line_per_rule(report_files):
    message = compose_message(report_files, SENDER, RECIPIENTS)
    body = message.get_body(("plain",)).get_content()

    assert "lnr-audit findings for 2024-05-02" in body
    assert "Unresolved: 2 (1 new, 1 acknowledged)" in body
    assert "Resolved on 2024-05-02: 1" in body
    lines = body.splitlines()
    header = next(line for line in lines if line.startswith("rule_id"))
    assert header.split() == ["rule_id", "category", "severity", "unresolved", "new", "resolved", "acknowledged"]
    table = lines[lines.index(header) + 1 : lines.index(header) + 4]
    assert [line.split() for line in table] == [
        ["ZR-001", "billing", "high", "2", "1", "0", "1"],
        ["CD-002", "licensing", "medium", "0", "0", "1", "0"],
        ["SF-003", "crm", "low", "0", "0", "0", "0"],
    ]
    assert len({len(line) for line in [header, *table]}) == 1


def test_starttls_and_login_are_used_when_configured(tls_smtp_server, report_files):
    result = send_reports(report_files, tls_settings(tls_smtp_server))

    assert result.ok, result.error
    assert tls_smtp_server.logins == [USERNAME]
    [delivered] = tls_smtp_server.inbox.messages
    assert delivered["tls"] and delivered["authenticated"]
    assert len(list(received(tls_smtp_server).iter_attachments())) == 4


def test_a_wrong_password_fails_at_once_without_revealing_it(tls_smtp_server, report_files, caplog):
    settings = tls_settings(tls_smtp_server, password="hunter2-wrong")
    caplog.set_level(logging.DEBUG)

    result = send_reports(report_files, settings, attempts=3, backoff=0.01)

    assert (result.ok, result.attempts) == (False, 1)
    assert "SMTPAuthenticationError" in result.error and "535" in result.error
    assert tls_smtp_server.inbox.messages == []
    for text in (result.error, repr(settings), str(settings), repr(result), caplog.text):
        assert "hunter2-wrong" not in text


def test_an_untrusted_certificate_is_refused_without_retrying(tls_smtp_server, report_files):
    settings = tls_settings(tls_smtp_server)
    untrusted = SmtpSettings(**{**vars(settings), "cafile": None})

    result = send_reports(report_files, untrusted, attempts=3, backoff=0.01)

    assert (result.ok, result.attempts) == (False, 1)
    assert "CERTIFICATE_VERIFY_FAILED" in result.error
    assert tls_smtp_server.inbox.messages == []


def test_a_refused_recipient_is_reported_and_not_retried(smtp_server, report_files):
    settings = plain_settings(
        smtp_server.port, recipients=("fulfillment@example.com", "nobody@refused.example")
    )

    result = send_reports(report_files, settings, attempts=3, backoff=0.01)

    assert (result.ok, result.attempts) == (False, 1)
    assert "nobody@refused.example" in result.error and "550" in result.error
    assert [m["rcpt_tos"] for m in smtp_server.inbox.messages] == [["fulfillment@example.com"]]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"recipients": ()}, "recipients"),
        ({"recipients": "fulfillment@example.com"}, "recipients"),
        ({"username": "lnr"}, "together"),
        ({"username": "lnr", "password": "secret", "starttls": False}, "STARTTLS"),
    ],
)
def test_unsafe_or_incomplete_settings_are_rejected(overrides, message):
    with pytest.raises(ValueError, match=message):
        plain_settings(25, **overrides)


def test_the_password_is_not_in_the_settings_repr():
    settings = SmtpSettings(
        host="smtp.example.com", sender=SENDER, recipients=RECIPIENTS, username="u", password="pw-1"
    )
    assert "pw-1" not in repr(settings)
    assert "username='u'" in repr(settings)
