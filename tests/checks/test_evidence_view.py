"""A finding's evidence field by field: the systems' values side by side, the differing ones marked."""

from decimal import Decimal

from checks.evidence_view import DIFFERS, aligned, evidence_rows, quoted_fields, says, shown

SEATS = {
    "zuora": {"seats": 10, "TermStartDate": "2026-01-01", "base_plans": ["SaaS - Premium", "Add-on"]},
    "customersdot": {"quantity": 8, "start_date": "2026-01-01", "id": 1495},
    "tolerance": {"abs": Decimal("1.0000")},
}


def test_the_same_fact_shares_a_row_and_differing_values_are_marked():
    rows = {row.label: row for row in aligned(SEATS)}
    assert list(rows) == ["seats / quantity", "TermStartDate / start_date", "base_plans", "id"]
    assert rows["seats / quantity"].values == {"zuora": 10, "customersdot": 8} and rows["seats / quantity"].differs
    assert not rows["TermStartDate / start_date"].differs and not rows["base_plans"].differs


def test_numbers_compare_by_value_and_text_trimmed():
    evidence = {"zuora": {"seats": "10", "Amount": Decimal("5.00")}, "salesforce": {"seats": 10.0, "Amount": 5}}
    assert not any(row.differs for row in aligned(evidence))


def test_rows_are_aligned_in_columns_wrapped_to_the_width():
    lines = evidence_rows(SEATS, 60)
    assert max(map(len, lines)) <= 60
    assert max(map(len, evidence_rows(SEATS, 40))) <= 40
    assert lines[0].split() == ["ZUORA", "CUSTOMERSDOT"]
    zuora_column = lines[0].index("ZUORA")
    cd_column = lines[0].index("CUSTOMERSDOT")
    seats = next(line for line in lines if "seats" in line)
    assert seats.startswith(f"{DIFFERS} seats") and seats[zuora_column:].split()[0] == "10"
    assert seats[cd_column:].strip() == "8"
    start = next(i for i, line in enumerate(lines) if "base_plans" in line)
    end = next(i for i, line in enumerate(lines) if line.startswith("  id "))
    assert end - start > 1, "the list is wrapped in its column"
    assert " ".join(line[zuora_column:].strip() for line in lines[start:end]) == "SaaS - Premium, Add-on"
    assert lines[-1] == "  tolerance: abs: 1.0000"


def test_says_names_the_differing_and_quoted_fields_of_each_system():
    assert says(SEATS) == "Zuora says seats 10 / CustomersDot says quantity 8"
    quoted = quoted_fields("Zuora {subscription_name} starts {zuora[TermStartDate]}; order {customersdot[id]}")
    assert quoted == {"zuora": ["TermStartDate"], "customersdot": ["id"]}
    assert says(SEATS, quoted) == (
        "Zuora says seats 10; TermStartDate 2026-01-01 / CustomersDot says quantity 8; id 1495"
    )
    one_sided = {"zuora": {"subscriptions": []}, "salesforce": {"Id": "006x", "Amount": Decimal("11172.00")}}
    assert says(one_sided) == "Zuora says subscriptions none / Salesforce says Id 006x; Amount 11172.00"
    assert len(says({"zuora": {"Notes": "x" * 500}})) == 240


def test_values_read_as_text():
    assert [shown(v) for v in (None, [], ["a", 1], {"a": None}, True, Decimal("2.50"))] == [
        "empty", "none", "a, 1", "a: empty", "true", "2.50",
    ]
