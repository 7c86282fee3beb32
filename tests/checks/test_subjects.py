"""The subject relations: each subject's finding keys named once, in the result order, for the rules to select."""

from __future__ import annotations

import duckdb
from audit_worlds import AS_OF

from assets.raw_store import create_raw_tables
from checks.engine import STAGING_VIEWS, AuditSettings, build_staging
from checks.findings import KEY_NAMES


def test_every_subject_relation_lists_the_finding_keys_in_their_order_as_text():
    con = duckdb.connect()
    create_raw_tables(con)
    build_staging(con, AuditSettings(as_of=AS_OF))
    key_types = {
        view.name: con.sql(f"SELECT finding_keys FROM staging.{view.name}").types[0]
        for view in STAGING_VIEWS
        if "finding_keys" in con.sql(f"SELECT * FROM staging.{view.name}").columns
    }
    assert set(key_types) == {"subscription_subjects", "order_subjects"}
    for name, struct in key_types.items():
        assert [(field, str(kind)) for field, kind in struct.children] == [(key, "VARCHAR") for key in KEY_NAMES], name


def test_an_order_takes_its_account_keys_from_its_subscription_and_keeps_its_own_without_one(world):
    world.account("A001")
    world.paid("A-S001", "premium-saas")
    orphan = world.order("A-S404", "premium-saas", gl_namespace_id="ns-orphan")
    subjects = {str(row["id"]): row for row in world.staged("order_subjects")}
    [booked] = (row for order_id, row in subjects.items() if order_id != orphan)
    account = world.account_record("A001")
    assert booked["finding_keys"]["zuora_account_number"] == "A001"
    assert booked["finding_keys"]["sf_account_id"] == account["CrmId"]
    assert booked["subscription"]["in_force"] and booked["zuora_evidence"]["Version"] == 1
    assert subjects[orphan]["subscription"] is None and subjects[orphan]["zuora_evidence"] is None
    assert subjects[orphan]["finding_keys"] == {
        **dict.fromkeys(KEY_NAMES),
        "subscription_name": "A-S404",
        "order_id": orphan,
        "namespace_id": "ns-orphan",
    }
