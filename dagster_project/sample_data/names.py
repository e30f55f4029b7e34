"""Made-up names for people and companies, built from word lists by integer code."""

from __future__ import annotations

from functools import cache

import numpy as np
import pyarrow as pa

FIRST_NAMES = (
    "Aisha", "Alex", "Amelia", "Ana", "Andre", "Anna", "Arjun", "Ben", "Carla", "Carlos",
    "Chen", "Chloe", "Daniel", "David", "Diego", "Elena", "Emma", "Ethan", "Fatima", "Felix",
    "Grace", "Hannah", "Hiro", "Ines", "Isaac", "Ivan", "Jack", "James", "Jana", "Javier",
    "Julia", "Kai", "Karin", "Kenji", "Laura", "Leo", "Lina", "Lucas", "Maya", "Marco",
    "Maria", "Mark", "Mei", "Mia", "Nadia", "Nina", "Noah", "Olivia", "Omar", "Paul",
    "Priya", "Rafael", "Rahul", "Rosa", "Ryan", "Sara", "Sofia", "Sven", "Tariq", "Tom",
    "Uma", "Victor", "Wei", "Yara", "Yusuf", "Zoe", "Lena", "Oscar", "Ruth", "Samir",
    "Theo", "Vera", "Will", "Xin", "Yuki", "Zara", "Erik", "Hugo", "Iris", "Jonas",
)  # fmt: skip

LAST_NAMES = (
    "Adams", "Ahmed", "Alvarez", "Andersen", "Baker", "Becker", "Bianchi", "Brown", "Carter",
    "Chen", "Clarke", "Costa", "Cruz", "Das", "Dubois", "Evans", "Fischer", "Garcia", "Gupta",
    "Hall", "Hansen", "Hoffmann", "Ito", "Jensen", "Johnson", "Kaur", "Kim", "Klein", "Kowalski",
    "Lee", "Lopez", "Martin", "Meyer", "Miller", "Moreau", "Murphy", "Nakamura", "Nguyen",
    "Novak", "Okafor", "Olsen", "Patel", "Perez", "Petrov", "Quinn", "Rossi", "Santos",
    "Schmidt", "Shah", "Silva", "Singh", "Smith", "Suzuki", "Tanaka", "Taylor", "Thomas",
    "Torres", "Vargas", "Walker", "Wang", "Weber", "White", "Wilson", "Wong", "Young", "Zhang",
    "Berg", "Dahl", "Eriksen", "Fontaine", "Greco", "Horvat", "Ivanova", "Jovanovic", "Keller",
    "Lindqvist", "Mendes", "Nowak", "Ortiz", "Park",
)  # fmt: skip

COMPANY_PREFIXES = (
    "Acme", "Apex", "Arc", "Aster", "Atlas", "Aurora", "Beacon", "Birch", "Blue", "Bright",
    "Cedar", "Cinder", "Clear", "Cobalt", "Copper", "Crest", "Delta", "Echo", "Ember", "Falcon",
    "Fern", "Flux", "Golden", "Granite", "Harbor", "Helix", "Horizon", "Iron", "Juniper",
    "Keystone", "Lumen", "Maple", "Meridian", "Nimbus", "North", "Nova", "Oak", "Onyx",
    "Orbit", "Pine", "Pioneer", "Prism", "Quantum", "Quartz", "Rapid", "Red", "Ridge", "River",
    "Sage", "Silver", "Solar", "Spruce", "Stone", "Summit", "Terra", "Titan", "Vector",
    "Vertex", "Willow", "Zenith",
)  # fmt: skip

COMPANY_SUFFIXES = (
    "bridge", "by", "cast", "core", "dale", "field", "flow", "ford", "gate", "grid", "hub",
    "lab", "lane", "leaf", "line", "link", "loop", "mark", "mill", "mint", "path", "peak",
    "point", "port", "scale", "scope", "shift", "side", "soft", "spark", "stack", "stream",
    "tech", "ton", "tree", "vale", "view", "ware", "wave", "works",
)  # fmt: skip

COMPANY_KINDS = (
    "Analytics", "Capital", "Consulting", "Foods", "Group", "Health", "Holdings", "Inc",
    "Industries", "Labs", "Logistics", "Media", "Partners", "Systems", "Technologies",
)  # fmt: skip

COMPANY_NAME_COUNT = len(COMPANY_PREFIXES) * len(COMPANY_SUFFIXES) * len(COMPANY_KINDS)
PERSON_NAME_COUNT = len(FIRST_NAMES) * len(LAST_NAMES)
EMAIL_DOMAIN = "example.com"


@cache
def company_names() -> pa.Array:
    """Every company name, indexed by company name code."""
    prefix, suffix, kind = np.unravel_index(
        np.arange(COMPANY_NAME_COUNT),
        (len(COMPANY_PREFIXES), len(COMPANY_SUFFIXES), len(COMPANY_KINDS)),
    )
    stem = np.char.add(np.array(COMPANY_PREFIXES)[prefix], np.array(COMPANY_SUFFIXES)[suffix])
    return pa.array(np.char.add(np.char.add(stem, " "), np.array(COMPANY_KINDS)[kind]))


@cache
def person_names() -> pa.Array:
    """Every "First Last" name, indexed by person name code."""
    first, last = np.unravel_index(
        np.arange(PERSON_NAME_COUNT), (len(FIRST_NAMES), len(LAST_NAMES))
    )
    return pa.array(
        np.char.add(np.char.add(np.array(FIRST_NAMES)[first], " "), np.array(LAST_NAMES)[last])
    )


@cache
def person_emails() -> pa.Array:
    """The work email of each person name code: first.last@example.com, lower case."""
    first, last = np.unravel_index(
        np.arange(PERSON_NAME_COUNT), (len(FIRST_NAMES), len(LAST_NAMES))
    )
    local = np.char.add(np.char.add(np.array(FIRST_NAMES)[first], "."), np.array(LAST_NAMES)[last])
    return pa.array(np.char.add(np.char.lower(local), "@" + EMAIL_DOMAIN))
