"""The customer named in the reports: from Zuora's account, else Salesforce's, else CustomersDot's billing account."""

import duckdb
import polars as pl

from assets.report_data import with_customer_names

RAW = """
CREATE SCHEMA raw_zuora; CREATE SCHEMA raw_salesforce; CREATE SCHEMA raw_customersdot;
CREATE TABLE raw_zuora.account AS
    SELECT * FROM (VALUES ('A001', 'Zuora Name Ltd'), ('A002', '  ')) t("AccountNumber", "Name");
CREATE TABLE raw_salesforce.account AS SELECT * FROM (VALUES ('001x', 'Salesforce Name Inc')) t("Id", "Name");
CREATE TABLE raw_customersdot.billing_accounts AS
    SELECT * FROM (VALUES (7, 'Billing Name GmbH')) t(id, zuora_account_name);
"""


def findings(*keys: tuple[str | None, str | None, str | None]) -> pl.DataFrame:
    rows = [
        {"finding_id": f"F-{i}", "zuora_account_number": z, "sf_account_id": s, "billing_account_id": b}
        for i, (z, s, b) in enumerate(keys)
    ]
    return pl.DataFrame(rows, schema=dict.fromkeys(rows[0], pl.String))


def test_the_customer_name_comes_from_the_first_system_that_names_it():
    con = duckdb.connect()
    con.execute(RAW)
    named = with_customer_names(
        con,
        findings(("A001", "001x", "7"), ("A002", "001x", None), ("A999", None, "7"), (None, None, None)),
    )
    assert named["finding_id"].to_list() == ["F-0", "F-1", "F-2", "F-3"]
    assert named["customer_name"].to_list() == ["Zuora Name Ltd", "Salesforce Name Inc", "Billing Name GmbH", None]


def test_without_raw_tables_the_names_are_blank():
    named = with_customer_names(duckdb.connect(), findings(("A001", None, None)))
    assert named["customer_name"].to_list() == [None]
