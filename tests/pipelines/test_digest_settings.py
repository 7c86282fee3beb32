"""The digest and trend settings read from the environment: the webhook a secret, the weekday checked."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pytest

from pipelines.settings import ENVIRONMENT, resources_from_environment


def reports(env):
    return resources_from_environment({"LNR_DUCKDB_PATH": "x.duckdb", **env})["reports"]


def test_the_webhook_is_a_secret_read_at_run_time_and_the_defaults_are_quiet(monkeypatch):
    assert "secret" in ENVIRONMENT["LNR_DIGEST_WEBHOOK_URL"]
    url = "https://hooks.example/services/T/B/token"
    monkeypatch.setenv("LNR_DIGEST_WEBHOOK_URL", url)
    configured = reports({"LNR_DIGEST_WEBHOOK_URL": url})
    assert isinstance(configured.digest_webhook_url, dg.EnvVar)
    default = reports({})
    assert (default.webhook_settings(), default.digest_always, default.trend_nights) == (None, False, 28)


def test_the_trend_weekday_and_window_are_settings():
    settings = reports({"LNR_TREND_WEEKDAY": "Friday", "LNR_TREND_NIGHTS": "14", "LNR_DIGEST_ALWAYS": "true"})
    assert settings.weekly(dt.date(2026, 12, 4)) and not settings.weekly(dt.date(2026, 12, 7))
    assert (settings.trend_nights, settings.digest_always) == (14, True)
    with pytest.raises(ValueError, match="LNR_TREND_WEEKDAY must be a weekday"):
        reports({"LNR_TREND_WEEKDAY": "someday"})
