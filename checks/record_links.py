"""Links from a finding to every record it names, in Zuora, Salesforce, CustomersDot and GitLab.com.

Each link is a base URL (a setting, the real host by default) and a path built from one of the finding's record
keys. The URL forms:

* Salesforce: Lightning record pages, `/lightning/r/<Object>/<Id>/view` (Salesforce's documented form).
* CustomersDot: its RailsAdmin pages, `/admin/<model>/<id>` (RailsAdmin's route for a record's page).
* Zuora: the classic UI's view pages (`/apps/<Page>.do?method=view&id=...`). An assumption: those pages take
  Zuora's internal record id, and a finding carries the account number, subscription name and invoice number,
  so the links pass those; a tenant whose UI does not resolve them needs other paths here.
* GitLab.com: the group's billing page `/groups/<group>/-/billings`. An assumption: GitLab routes groups by
  path, and a finding carries the namespace id, so the link passes the id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class LinkBases:
    """The base URL of each system's web UI (no trailing slash needed)."""

    zuora: str = "https://www.zuora.com"
    salesforce: str = "https://gitlab.lightning.force.com"
    customersdot: str = "https://customers.gitlab.com"
    gitlab: str = "https://gitlab.com"

    @classmethod
    def from_variables(cls, env: Mapping[str, str]) -> LinkBases:
        """The bases set by the LNR_LINK_* variables of `env`, the real hosts for those unset."""
        return cls(**{system: env[name] for system, name in LINK_VARIABLES.items() if env.get(name)})


# system → the variable that sets its base URL
LINK_VARIABLES: dict[str, str] = {
    "zuora": "LNR_LINK_ZUORA_URL",
    "salesforce": "LNR_LINK_SALESFORCE_URL",
    "customersdot": "LNR_LINK_CUSTOMERSDOT_URL",
    "gitlab": "LNR_LINK_GITLAB_URL",
}


@dataclass(frozen=True)
class RecordLink:
    """How one record key of a finding becomes a link: its label, the system and the path with `{id}`."""

    key: str
    label: str
    system: str
    path: str

    def url(self, value: str, bases: LinkBases) -> str:
        """The link to the record `value`, its id percent-encoded."""
        base = getattr(bases, self.system).rstrip("/")
        return base + self.path.format(id=quote(value.strip(), safe=""))


RECORD_LINKS: tuple[RecordLink, ...] = (
    RecordLink("zuora_account_number", "Zuora account", "zuora", "/apps/CustomerAccount.do?method=view&id={id}"),
    RecordLink("subscription_name", "Zuora subscription", "zuora", "/apps/Subscription.do?method=view&id={id}"),
    RecordLink("invoice_number", "Zuora invoice", "zuora", "/apps/InvoicePage.do?method=view&id={id}"),
    RecordLink("sf_account_id", "Salesforce account", "salesforce", "/lightning/r/Account/{id}/view"),
    RecordLink("sf_opportunity_id", "Salesforce opportunity", "salesforce", "/lightning/r/Opportunity/{id}/view"),
    RecordLink("order_id", "CustomersDot order", "customersdot", "/admin/order/{id}"),
    RecordLink("license_id", "CustomersDot license", "customersdot", "/admin/license/{id}"),
    RecordLink("billing_account_id", "CustomersDot billing account", "customersdot", "/admin/billing_account/{id}"),
    RecordLink("namespace_id", "GitLab.com group billing", "gitlab", "/groups/{id}/-/billings"),
)
LINK_LABELS: tuple[str, ...] = tuple(link.label for link in RECORD_LINKS)


def record_links(keys: Mapping[str, str | None], bases: LinkBases) -> dict[str, str]:
    """Label → URL of every record `keys` names (finding key column → value), in RECORD_LINKS order."""
    return {
        link.label: link.url(str(keys[link.key]), bases)
        for link in RECORD_LINKS
        if keys.get(link.key) is not None and str(keys[link.key]).strip()
    }

# The record keys from the most specific record of each system to the least.
MOST_SPECIFIC_FIRST: tuple[str, ...] = (
    "invoice_number", "subscription_name", "zuora_account_number",
    "sf_opportunity_id", "sf_account_id",
    "license_id", "order_id", "billing_account_id",
    "namespace_id",
)


def system_links(keys: Mapping[str, str | None], bases: LinkBases) -> dict[str, str]:
    """System → the link to the most specific record `keys` names in it (one link per system, for one cell each)."""
    by_key = {link.key: link for link in RECORD_LINKS}
    chosen: dict[str, str] = {}
    for key in MOST_SPECIFIC_FIRST:
        link = by_key[key]
        value = keys.get(key)
        if link.system not in chosen and value is not None and str(value).strip():
            chosen[link.system] = link.url(str(value), bases)
    return chosen
