"""The extraction's guards are settings read from the environment."""

import datetime as dt

import pytest

from assets.extraction import DEFAULT_POLICY, ExtractionPolicy
from pipelines.settings import resources_from_environment


def policy(env: dict[str, str]) -> ExtractionPolicy:
    return resources_from_environment(env)["audit_settings"].extraction_policy()


def test_the_guards_default_to_a_weekly_full_reload_and_a_fall_of_half():
    assert policy({}) == DEFAULT_POLICY == ExtractionPolicy(dt.timedelta(days=7), 0.5)


def test_the_guards_follow_the_environment():
    env = {"LNR_FULL_RELOAD_DAYS": "3", "LNR_MAX_ROW_DROP_PERCENT": "20"}
    assert policy(env) == ExtractionPolicy(dt.timedelta(days=3), 0.2)


def test_a_setting_that_is_no_number_names_its_variable():
    with pytest.raises(ValueError, match="LNR_MAX_ROW_DROP_PERCENT must be a number, not 'half'"):
        policy({"LNR_MAX_ROW_DROP_PERCENT": "half"})


def test_a_drop_beyond_the_whole_object_is_refused():
    with pytest.raises(ValueError, match="share from 0 to 1, not 1.5"):
        policy({"LNR_MAX_ROW_DROP_PERCENT": "150"})
