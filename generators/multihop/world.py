"""The fictional world of one record: typed entities, attributes and relations.

A world is a set of facts ``(subject, predicate) -> value`` over entities of four types
(city, person, company, event); a fifth kind of thing, a company's *product line*, is a set of
physical items that only an image shows (a procedural scene from ``synthgen.world``), so it is
not part of the world's facts but of the scene documents made later. Every name is fictional
(:mod:`.names`) and unique in its world, so documents refer to entities by name alone.

The world is a pure function of the RNG. It is built so that the question programs always
have material: one city hosts exactly two companies (intersection and counting questions
enumerate "the companies headquartered in C"), every company has its own chief executive and
every event is organised by a company founded before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from synthgen.generators.multihop.names import NameMaker

ENTITY_TYPES = ("city", "person", "company", "event")

PREDICATES: dict[str, tuple[str, str]] = {
    # predicate: (subject type, value type: a type name for relations, else "year"/"count")
    "population": ("city", "count"),
    "founded": ("city|company", "year"),
    "born": ("person", "year"),
    "born_in": ("person", "city"),
    "headquarters": ("company", "city"),
    "ceo": ("company", "person"),
    "employees": ("company", "count"),
    "year": ("event", "year"),
    "held_in": ("event", "city"),
    "organiser": ("event", "company"),
}
"""Every predicate a document can state, with what it links."""

TYPE_PREDICATES: dict[str, tuple[str, ...]] = {
    "city": ("population", "founded"),
    "person": ("born", "born_in"),
    "company": ("founded", "headquarters", "ceo", "employees"),
    "event": ("year", "held_in", "organiser"),
}

NUMERIC = frozenset({"population", "employees"})
"""Predicates a bar chart can show."""


@dataclass
class World:
    """Entities by type and their facts. ``facts[(name, predicate)]`` is a str or an int."""

    entities: dict[str, list[str]] = field(default_factory=dict)
    facts: dict[tuple[str, str], str | int] = field(default_factory=dict)
    type_of: dict[str, str] = field(default_factory=dict)

    def add(self, kind: str, name: str) -> None:
        self.entities.setdefault(kind, []).append(name)
        self.type_of[name] = kind

    def get(self, subject: str, predicate: str) -> str | int:
        return self.facts[(subject, predicate)]

    def subjects(self, predicate: str, value: str | int) -> list[str]:
        """Entities whose ``predicate`` is ``value`` (the inverse of a relation)."""
        return [s for (s, p), v in self.facts.items() if p == predicate and v == value]


def sample_world(
    rng: np.random.Generator,
    cities: int = 4,
    people: int = 6,
    companies: int = 5,
    events: int = 3,
) -> World:
    """A fresh world; every draw comes from ``rng`` in a fixed order."""
    names = NameMaker(rng)
    world = World()
    for _ in range(cities):
        world.add("city", names.city())
    for _ in range(people):
        world.add("person", names.person())
    for _ in range(companies):
        world.add("company", names.company())
    for _ in range(events):
        world.add("event", names.event())
    f = world.facts
    city_names = world.entities["city"]
    for c in city_names:
        f[(c, "population")] = int(rng.integers(12, 3200)) * 1000 + int(rng.integers(0, 1000))
        f[(c, "founded")] = int(rng.integers(1150, 1950))
    for p in world.entities["person"]:
        f[(p, "born")] = int(rng.integers(1940, 1996))
        f[(p, "born_in")] = city_names[int(rng.integers(len(city_names)))]
    # one city hosts exactly two companies; the others are spread over the remaining cities
    order = rng.permutation(len(city_names)).tolist()
    home = city_names[order[0]]
    others = [city_names[i] for i in order[1:]]
    hqs = [home, home] + [others[int(rng.integers(len(others)))] for _ in range(companies - 2)]
    hqs = [hqs[i] for i in rng.permutation(companies).tolist()]
    leaders = [world.entities["person"][i] for i in rng.permutation(people).tolist()]
    for company, hq, ceo in zip(world.entities["company"], hqs, leaders, strict=False):
        f[(company, "founded")] = int(rng.integers(1890, 2016))
        f[(company, "headquarters")] = hq
        f[(company, "ceo")] = ceo
        f[(company, "employees")] = int(rng.integers(40, 95000))
    company_names = world.entities["company"]
    for e in world.entities["event"]:
        org = company_names[int(rng.integers(len(company_names)))]
        start = int(f[(org, "founded")]) + 1
        f[(e, "organiser")] = org
        f[(e, "year")] = int(rng.integers(start, max(start + 1, 2025)))
        f[(e, "held_in")] = city_names[int(rng.integers(len(city_names)))]
    return world


def format_value(predicate: str, value: str | int) -> str:
    """How a value is written in documents and answers: counts with thousands separators."""
    if isinstance(value, int) and predicate in NUMERIC:
        return f"{value:,}"
    return str(value)
