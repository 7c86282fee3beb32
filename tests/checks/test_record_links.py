"""The links from a finding to the records it names."""

from checks.findings import KEY_NAMES
from checks.record_links import (
    LINK_VARIABLES,
    MOST_SPECIFIC_FIRST,
    RECORD_LINKS,
    LinkBases,
    record_links,
    system_links,
)


def test_every_record_key_of_a_finding_has_a_link():
    assert sorted(link.key for link in RECORD_LINKS) == sorted(KEY_NAMES)


def test_links_only_for_the_keys_set_on_the_real_hosts_by_default():
    keys = {"subscription_name": "A-S00012345", "sf_opportunity_id": "0065f00000AbCdE", "order_id": None,
            "license_id": "  ", "namespace_id": "9970"}
    assert record_links(keys, LinkBases()) == {
        "Zuora subscription": "https://www.zuora.com/apps/Subscription.do?method=view&id=A-S00012345",
        "Salesforce opportunity": "https://gitlab.lightning.force.com/lightning/r/Opportunity/0065f00000AbCdE/view",
        "GitLab.com group billing": "https://gitlab.com/groups/9970/-/billings",
    }


def test_ids_are_percent_encoded_so_they_stay_one_path_segment_or_parameter():
    links = record_links({"order_id": "12/../34", "zuora_account_number": "A&B=C #1"}, LinkBases())
    assert links["CustomersDot order"] == "https://customers.gitlab.com/admin/order/12%2F..%2F34"
    assert links["Zuora account"].endswith("?method=view&id=A%26B%3DC%20%231")


def test_bases_come_from_the_environment_with_or_without_a_trailing_slash():
    env = {LINK_VARIABLES["customersdot"]: "http://127.0.0.1:8123/", LINK_VARIABLES["zuora"]: ""}
    bases = LinkBases.from_variables(env)
    assert bases.zuora == LinkBases.zuora
    links = record_links({"billing_account_id": "ba-7", "invoice_number": "INV0001"}, bases)
    assert links == {
        "Zuora invoice": "https://www.zuora.com/apps/InvoicePage.do?method=view&id=INV0001",
        "CustomersDot billing account": "http://127.0.0.1:8123/admin/billing_account/ba-7",
    }


def test_one_link_per_system_to_its_most_specific_record():
    keys = {"zuora_account_number": "A001", "subscription_name": "A-S001", "invoice_number": None,
            "sf_account_id": "001x", "order_id": "5", "billing_account_id": "9", "license_id": None}
    assert system_links(keys, LinkBases()) == {
        "zuora": "https://www.zuora.com/apps/Subscription.do?method=view&id=A-S001",
        "salesforce": "https://gitlab.lightning.force.com/lightning/r/Account/001x/view",
        "customersdot": "https://customers.gitlab.com/admin/order/5",
    }
    assert sorted(MOST_SPECIFIC_FIRST) == sorted(link.key for link in RECORD_LINKS)
