"""Company and person names, countries and e-mail domains for generated customers."""

from __future__ import annotations

import random
import re
import unicodedata

_STEMS = (
    "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Soylent", "Cyberdyne", "Tyrell", "Wonka",
    "Aperture", "Massive Dynamic", "Oscorp", "Pied Piper", "Stark", "Wayne", "Gringotts", "Monarch", "Nakatomi",
    "Oceanic", "Prestige", "Sirius", "Vehement", "Virtucon", "Zorg", "Blue Sun", "Dunder", "Gekko", "Kraken",
    "Northwind", "Contoso", "Fabrikam", "Tailspin", "Litware", "Adatum", "Proseware", "Lucerne", "Woodgrove",
    "Alpine", "Boreal", "Cobalt", "Delta", "Ember", "Fjord", "Granite", "Harbor", "Indigo", "Juniper", "Keystone",
    "Lumen", "Meridian", "Nimbus", "Orbit", "Pioneer", "Quartz", "Redwood", "Summit", "Tundra", "Vertex", "Zephyr",
)
_TRADES = (
    "Systems", "Labs", "Software", "Networks", "Analytics", "Cloud", "Data", "Robotics", "Logistics", "Bank",
    "Health", "Media", "Energy", "Foods", "Motors", "Insurance", "Aerospace", "Telecom", "Security", "Games",
)
_FORMS = ("Inc.", "LLC", "Ltd", "GmbH", "S.A.", "AG", "B.V.", "Pty Ltd", "K.K.", "AB", "Oy", "S.p.A.", "Corp.")
_UNICODE = (
    "Müller Präzisionstechnik GmbH", "Société Générale de Logiciels SAS", "株式会社サクラソフトウェア",
    "Ålesund Dataløsninger AS", "Zürcher Kantonalsysteme AG", "Øresund Teknik ApS", "İstanbul Yazılım A.Ş.",
    "Công ty Phần mềm Sài Gòn", "Ωmega Λabs ΙΚΕ", "Технологии Севера ООО", "北京云数据科技有限公司",
    "Señor Código S.L.", "Café Développement SARL", "Łódź Informatyka sp. z o.o.", "São Paulo Soluções Ltda",
    "Þór Hugbúnaður ehf.", "한빛 소프트 주식회사", "Rocket 🚀 Labs Inc.",
)
_FORMULAS = (
    '=HYPERLINK("http://example.invalid","Click here")', "=1+2 Holdings", "+Plus Consulting Group",
    "-Minus Engineering Ltd", "@Home Networks Inc.", "=cmd|' /C calc'!A0 Corp",
)
_FIRST = (
    "Alex", "Sam", "Maria", "Wei", "Priya", "Ahmed", "Olga", "Kenji", "Fatima", "Lucas", "Emma", "Noah", "Zoë",
    "José", "Søren", "Łukasz", "Ngọc", "美咲", "Björn", "Chloé", "Dmitri", "Aisha", "Mateo", "Ingrid", "Ravi",
)
_LAST = (
    "Smith", "García", "Müller", "Chen", "Kowalski", "Nguyễn", "Okafor", "Tanaka", "Johansson", "Rossi",
    "O'Brien", "Dubois", "Novák", "Haddad", "Patel", "Silva", "Kim", "Jensen", "Ivanova", "佐藤",
)
COUNTRIES = (
    "United States", "United States", "United States", "Germany", "United Kingdom", "France", "Japan", "Canada",
    "Netherlands", "Australia", "India", "Brazil", "Sweden", "Switzerland", "Spain", "Poland", "Korea, Republic of",
)


def company(rng: random.Random) -> str:
    """A company name: mostly ASCII, some Unicode, a few that start like spreadsheet formulas."""
    draw = rng.random()
    if draw < 0.004:
        return rng.choice(_FORMULAS)
    if draw < 0.035:
        return rng.choice(_UNICODE)
    return f"{rng.choice(_STEMS)} {rng.choice(_TRADES)} {rng.choice(_FORMS)}"


def person(rng: random.Random) -> tuple[str, str]:
    """A (first name, last name) pair."""
    return rng.choice(_FIRST), rng.choice(_LAST)


def slug(text: str) -> str:
    """A lowercase ASCII slug of `text` (may be empty for non-Latin names)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def email(first: str, last: str, domain: str) -> str:
    """An e-mail address for a person at `domain`."""
    local = ".".join(part for part in (slug(first), slug(last)) if part) or "billing"
    return f"{local}@{domain}"
