"""The rule catalogue (rules.md, v1), read from the rule files: `checks/rules/<id>.sql`, each a header of
`-- key: value` lines (longer values continue on `--    ` lines) above the rule's SQL.

Header keys: rule, order, category, severity, subject, examines, finding, summary, action, optionally
`setting <name>: <default>` (one per setting), and `scorecard` with `scorecard rank` for the rules that give a
paid subscription its match status (the lowest rank among its findings wins).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType

from checks.findings import SEVERITY_NAMES

RULES_DIR = Path(__file__).parent / "rules"
CATEGORIES = ("provisioning", "sm_licensing", "crm", "billing", "catalog", "hygiene")
GLOBAL_SETTINGS: Mapping[str, object] = MappingProxyType({"excluded_zuora_accounts": ()})
REQUIRED_KEYS = ("rule", "order", "category", "severity", "subject", "examines", "finding", "summary", "action")
_ENTRY = re.compile(r"^-- ([a-z_]+(?: [a-z_]+)?): (.*)$")
_CONTINUATION = re.compile(r"^--    (\S.*)$")


class CatalogueError(ValueError):
    """A rule file whose header is incomplete or malformed."""


@dataclass(frozen=True)
class Rule:
    """One audit rule: what it examines, when it finds, how severe it is, what to do, and its SQL file."""

    id: str
    category: str
    severity: str
    subject: str
    examines: str
    description: str
    summary_template: str
    suggested_action: str
    settings: Mapping[str, object] = field(default_factory=dict)
    scorecard_label: str | None = None
    scorecard_rank: int | None = None

    @property
    def sql_path(self) -> Path:
        """The rule's file: its header and its SQL, one row per examined subject, `failed` marking the findings."""
        return RULES_DIR / f"{self.id}.sql"

    @property
    def sql(self) -> str:
        """The text of the rule's file (the header is SQL comments)."""
        return self.sql_path.read_text(encoding="utf-8")

    @property
    def summary_line(self) -> str:
        """One line for UIs: the subject and when it is a finding."""
        return f"One finding per {self.subject}: {self.description}."


def _setting_value(text: str) -> object:
    """A setting's default as written in a header: an integer, or a decimal when it has a point (1.0)."""
    return int(text) if re.fullmatch(r"-?\d+", text) else Decimal(text)


def parse_header(path: Path) -> dict[str, str]:
    """The `-- key: value` entries at the top of the rule file `path`, continuations joined with a space."""
    entries: dict[str, str] = {}
    last = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if (match := _CONTINUATION.match(line)) and last:
            entries[last] += " " + match.group(1)
        elif match := _ENTRY.match(line):
            last = match.group(1)
            if last in entries:
                raise CatalogueError(f"{path.name}: {last} given twice")
            entries[last] = match.group(2)
        else:
            break
    return entries


def read_rule(path: Path) -> tuple[int, Rule]:
    """The rule of the file `path` and its position in the catalogue."""
    entries = parse_header(path)
    missing = [key for key in REQUIRED_KEYS if key not in entries]
    if missing:
        raise CatalogueError(f"{path.name}: the header lacks {missing}")
    if entries["rule"] != path.stem:
        raise CatalogueError(f"{path.name}: names rule {entries['rule']}")
    if entries["category"] not in CATEGORIES or entries["severity"] not in SEVERITY_NAMES:
        raise CatalogueError(f"{path.name}: category {entries['category']}, severity {entries['severity']}")
    if ("scorecard" in entries) != ("scorecard rank" in entries):
        raise CatalogueError(f"{path.name}: a scorecard label needs a scorecard rank and the other way round")
    settings = {
        key.removeprefix("setting "): _setting_value(value)
        for key, value in entries.items()
        if key.startswith("setting ")
    }
    known = set(REQUIRED_KEYS) | {"scorecard", "scorecard rank"} | {f"setting {name}" for name in settings}
    if set(entries) - known:
        raise CatalogueError(f"{path.name}: unknown header keys {sorted(set(entries) - known)}")
    rule = Rule(
        id=entries["rule"],
        category=entries["category"],
        severity=entries["severity"],
        subject=entries["subject"],
        examines=entries["examines"],
        description=entries["finding"],
        summary_template=entries["summary"],
        suggested_action=entries["action"],
        settings=MappingProxyType(settings),
        scorecard_label=entries.get("scorecard"),
        scorecard_rank=int(entries["scorecard rank"]) if "scorecard rank" in entries else None,
    )
    return int(entries["order"]), rule


def read_catalogue(rules_dir: Path = RULES_DIR) -> tuple[Rule, ...]:
    """Every rule of `rules_dir`, in catalogue order (category, then the header's order)."""
    read = [read_rule(path) for path in rules_dir.glob("*.sql")]
    return tuple(rule for _, rule in sorted(read, key=lambda pair: (CATEGORIES.index(pair[1].category), pair[0])))


RULES: tuple[Rule, ...] = read_catalogue()


def rule(rule_id: str) -> Rule:
    """The catalogue entry of `rule_id`."""
    for candidate in RULES:
        if candidate.id == rule_id:
            return candidate
    raise KeyError(f"no rule {rule_id}")


def default_settings() -> dict[str, object]:
    """Every setting with its default: the global ones and those of each rule (shared names agree)."""
    defaults = dict(GLOBAL_SETTINGS)
    for entry in RULES:
        for name, value in entry.settings.items():
            if defaults.setdefault(name, value) != value:
                raise CatalogueError(f"setting {name} has two defaults in the catalogue")
    return defaults
