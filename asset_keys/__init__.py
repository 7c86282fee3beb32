"""The asset keys and pools of the Dagster graph, named once where assets and checks both read them."""

import dagster as dg

from connectors.schema import SourceObject

DUCKDB_POOL = "duckdb"
FINDINGS_KEY = dg.AssetKey(["audit", "findings"])
SCORECARD_KEY = dg.AssetKey(["audit", "scorecard"])
REPORTS_KEY = dg.AssetKey(["reports", "fulfillment_reports"])


def raw_asset_key(obj: SourceObject) -> dg.AssetKey:
    """The asset key of `obj`'s raw table, e.g. raw_zuora/subscription."""
    return dg.AssetKey([f"raw_{obj.system}", obj.name.lower()])


def staging_asset_key(name: str) -> dg.AssetKey:
    """The asset key of the staging table `staging.<name>`."""
    return dg.AssetKey(["staging", name])
