"""Delivering the reports: retries when the mail server is down, folder copies, several channels."""

import logging

from report_samples import plain_settings

from assets.reports import copy_reports, deliver, send_reports


def snapshot(files):
    return {path: path.read_bytes() for path in files.paths}


def test_a_mail_server_that_is_down_is_retried_then_reported(closed_port, report_files, caplog):
    before = snapshot(report_files)
    caplog.set_level(logging.WARNING, logger="assets.reports.delivery")

    result = send_reports(report_files, plain_settings(closed_port), attempts=3, backoff=0.01)

    assert (result.channel, result.target) == ("email", f"127.0.0.1:{closed_port}")
    assert (result.ok, result.attempts) == (False, 3)
    assert result.error.startswith("ConnectionRefusedError")
    retries = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage().split("(")[1].split(")")[0] for r in retries] == [
        "attempt 1 of 3",
        "attempt 2 of 3",
    ]
    assert "failed after 3 attempt(s)" in caplog.records[-1].getMessage()
    assert snapshot(report_files) == before


def test_reports_are_copied_to_a_dated_folder(tmp_path, report_files):
    result = copy_reports(report_files, tmp_path / "share")

    destination = tmp_path / "share" / "2024-05-02"
    assert (result.channel, result.target, result.ok, result.attempts) == (
        "folder",
        str(destination),
        True,
        1,
    )
    assert sorted(p.name for p in destination.iterdir()) == sorted(p.name for p in report_files.paths)
    for path in report_files.paths:
        assert (destination / path.name).read_bytes() == path.read_bytes()


def test_a_folder_that_cannot_be_written_is_retried_then_reported(tmp_path, report_files):
    before = snapshot(report_files)
    blocked = tmp_path / "share"
    blocked.write_text("a file where the folder should be")

    result = copy_reports(report_files, blocked, attempts=2, backoff=0.01)

    assert (result.ok, result.attempts) == (False, 2)
    assert "share" in result.error
    assert snapshot(report_files) == before


def test_every_configured_channel_is_delivered(smtp_server, tmp_path, report_files):
    results = deliver(report_files, plain_settings(smtp_server.port), tmp_path / "share")

    assert [(r.channel, r.ok) for r in results] == [("email", True), ("folder", True)]
    assert len(smtp_server.inbox.messages) == 1
    assert (tmp_path / "share" / "2024-05-02" / "summary.csv").exists()


def test_a_failed_channel_does_not_stop_the_others(closed_port, tmp_path, report_files):
    results = deliver(report_files, plain_settings(closed_port), tmp_path / "share", attempts=1)

    assert [(r.channel, r.ok) for r in results] == [("email", False), ("folder", True)]


def test_nothing_configured_delivers_nothing_and_says_so(report_files, caplog):
    assert deliver(report_files, None, None) == []
    assert "no report delivery configured" in caplog.text
