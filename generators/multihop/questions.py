"""Question programs as paths through a world's entity graph.

:func:`plan_question` picks a question variant of a type and instantiates it on the world:
the program (what :mod:`.evaluate` executes), the facts it reads (``hops``, each to be placed
in some document), the companies whose product-line scenes it reads, and the arguments of its
phrasing. Variants whose scene filter depends on what a rendered scene shows (``"red items"``)
are finished by :func:`finish_scene_question` once the scenes exist.

Every variant refers to the entities it compares or counts only indirectly (the company *led
by* a person, the city *where* a company is headquartered), so the answer is never a name
the question states.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from synthgen.generators.multihop.schema import SceneItem
from synthgen.generators.multihop.world import World

HQ = {"rel": "headquarters"}
ORG = {"rel": "organiser"}
CEO = {"rel": "ceo"}
LED = {"rel": "ceo", "inverse": True}
BORN_IN = {"rel": "born_in"}

PLURAL = {"torus": "tori"}


@dataclass
class Plan:
    qtype: str
    variant: str
    program: dict[str, Any]
    hops: list[tuple[str, str]]
    args: dict[str, Any]
    scenes: list[str] = field(default_factory=list)
    scene_param: str | None = None
    enumerates: str | None = None
    """The predicate whose facts list the candidates (intersection and counting)."""


def _pick(rng: np.random.Generator, items: Sequence[Any]) -> Any:
    return items[int(rng.integers(len(items)))]


def _two(rng: np.random.Generator, items: Sequence[Any]) -> tuple[Any, Any]:
    i, j = rng.choice(len(items), size=2, replace=False).tolist()
    return items[i], items[j]


def _pair_city(w: World) -> tuple[str, list[str]] | None:
    """A city that hosts exactly two companies, and those companies."""
    for city in w.entities["city"]:
        hosted = w.subjects("headquarters", city)
        if len(hosted) == 2:
            return city, sorted(hosted)
    return None


# -- bridge ------------------------------------------------------------------------------


def _lookup_hq(attr: str) -> Callable[[World, np.random.Generator], Plan | None]:
    def make(w: World, rng: np.random.Generator) -> Plan:
        c = _pick(rng, w.entities["company"])
        city = w.get(c, "headquarters")
        return Plan(
            "bridge",
            f"lookup_hq_{attr}",
            {"op": "lookup", "start": c, "steps": [HQ], "attr": attr},
            [(c, "headquarters"), (str(city), attr)],
            {"a": c},
        )

    return make


def _lookup_org(attr: str) -> Callable[[World, np.random.Generator], Plan | None]:
    def make(w: World, rng: np.random.Generator) -> Plan:
        e = _pick(rng, w.entities["event"])
        org = str(w.get(e, "organiser"))
        return Plan(
            "bridge",
            f"lookup_org_{attr}",
            {"op": "lookup", "start": e, "steps": [ORG], "attr": attr},
            [(e, "organiser"), (org, attr)],
            {"a": e},
        )

    return make


def _lookup_org_hq_population(w: World, rng: np.random.Generator) -> Plan:
    e = _pick(rng, w.entities["event"])
    org = str(w.get(e, "organiser"))
    city = str(w.get(org, "headquarters"))
    return Plan(
        "bridge",
        "lookup_org_hq_population",
        {"op": "lookup", "start": e, "steps": [ORG, HQ], "attr": "population"},
        [(e, "organiser"), (org, "headquarters"), (city, "population")],
        {"a": e},
    )


def _lookup_led(attr: str) -> Callable[[World, np.random.Generator], Plan | None]:
    def make(w: World, rng: np.random.Generator) -> Plan:
        c = _pick(rng, w.entities["company"])
        p = str(w.get(c, "ceo"))
        return Plan(
            "bridge",
            f"lookup_led_{attr}",
            {"op": "lookup", "start": p, "steps": [LED], "attr": attr},
            [(c, "ceo"), (c, attr)],
            {"a": p},
        )

    return make


def _lookup_ceo_born(w: World, rng: np.random.Generator) -> Plan:
    c = _pick(rng, w.entities["company"])
    p = str(w.get(c, "ceo"))
    return Plan(
        "bridge",
        "lookup_ceo_born",
        {"op": "lookup", "start": c, "steps": [CEO], "attr": "born"},
        [(c, "ceo"), (p, "born")],
        {"a": c},
    )


def _lookup_ceo_birthplace_population(w: World, rng: np.random.Generator) -> Plan:
    c = _pick(rng, w.entities["company"])
    p = str(w.get(c, "ceo"))
    city = str(w.get(p, "born_in"))
    return Plan(
        "bridge",
        "lookup_ceo_birthplace_population",
        {"op": "lookup", "start": c, "steps": [CEO, BORN_IN], "attr": "population"},
        [(c, "ceo"), (p, "born_in"), (city, "population")],
        {"a": c},
    )


def _count_led_items(w: World, rng: np.random.Generator) -> Plan:
    c = _pick(rng, w.entities["company"])
    p = str(w.get(c, "ceo"))
    return Plan(
        "bridge",
        "count_led_items",
        {"op": "count_items", "start": p, "steps": [LED], "where": {}},
        [(c, "ceo")],
        {"a": p},
        scenes=[c],
        scene_param="count",
    )


def _count_org_items(w: World, rng: np.random.Generator) -> Plan:
    e = _pick(rng, w.entities["event"])
    org = str(w.get(e, "organiser"))
    return Plan(
        "bridge",
        "count_org_items",
        {"op": "count_items", "start": e, "steps": [ORG], "where": {}},
        [(e, "organiser")],
        {"a": e},
        scenes=[org],
        scene_param="count",
    )


# -- comparison --------------------------------------------------------------------------


def _compare_hq_population(w: World, rng: np.random.Generator) -> Plan | None:
    a, b = _two(rng, w.entities["company"])
    ca, cb = str(w.get(a, "headquarters")), str(w.get(b, "headquarters"))
    if ca == cb or w.get(ca, "population") == w.get(cb, "population"):
        return None
    return Plan(
        "comparison",
        "compare_hq_population",
        {
            "op": "compare",
            "attr": "population",
            "goal": "max",
            "items": [{"start": a, "steps": [HQ]}, {"start": b, "steps": [HQ]}],
        },
        [(a, "headquarters"), (b, "headquarters"), (ca, "population"), (cb, "population")],
        {"a": a, "b": b},
    )


def _compare_ceo_age(w: World, rng: np.random.Generator) -> Plan | None:
    a, b = _two(rng, w.entities["company"])
    pa, pb = str(w.get(a, "ceo")), str(w.get(b, "ceo"))
    if w.get(pa, "born") == w.get(pb, "born"):
        return None
    return Plan(
        "comparison",
        "compare_ceo_age",
        {
            "op": "compare",
            "attr": "born",
            "goal": "min",
            "items": [{"start": a, "steps": [CEO]}, {"start": b, "steps": [CEO]}],
        },
        [(a, "ceo"), (b, "ceo"), (pa, "born"), (pb, "born")],
        {"a": a, "b": b},
    )


def _compare_led_employees(w: World, rng: np.random.Generator) -> Plan | None:
    a, b = _two(rng, w.entities["company"])
    if w.get(a, "employees") == w.get(b, "employees"):
        return None
    pa, pb = str(w.get(a, "ceo")), str(w.get(b, "ceo"))
    return Plan(
        "comparison",
        "compare_led_employees",
        {
            "op": "compare",
            "attr": "employees",
            "goal": "max",
            "items": [{"start": pa, "steps": [LED]}, {"start": pb, "steps": [LED]}],
        },
        [(a, "ceo"), (b, "ceo"), (a, "employees"), (b, "employees")],
        {"a": pa, "b": pb},
    )


def _compare_org_founded(w: World, rng: np.random.Generator) -> Plan | None:
    ea, eb = _two(rng, w.entities["event"])
    oa, ob = str(w.get(ea, "organiser")), str(w.get(eb, "organiser"))
    if oa == ob or w.get(oa, "founded") == w.get(ob, "founded"):
        return None
    return Plan(
        "comparison",
        "compare_org_founded",
        {
            "op": "compare",
            "attr": "founded",
            "goal": "min",
            "items": [{"start": ea, "steps": [ORG]}, {"start": eb, "steps": [ORG]}],
        },
        [(ea, "organiser"), (eb, "organiser"), (oa, "founded"), (ob, "founded")],
        {"a": ea, "b": eb},
    )


# -- intersection and counting -----------------------------------------------------------


def _intersect_hq_item(w: World, rng: np.random.Generator) -> Plan | None:
    found = _pair_city(w)
    if found is None:
        return None
    city, (x, y) = found
    return Plan(
        "intersection",
        "intersect_hq_item",
        {"op": "intersect", "conditions": [{"rel": "headquarters", "value": city}]},
        [(x, "headquarters"), (y, "headquarters")],
        {"a": city},
        scenes=[x, y],
        scene_param="intersect",
        enumerates="headquarters",
    )


def _intersect_hq_founded(w: World, rng: np.random.Generator) -> Plan | None:
    found = _pair_city(w)
    if found is None:
        return None
    city, (x, y) = found
    fx, fy = int(w.get(x, "founded")), int(w.get(y, "founded"))
    if fx == fy:
        return None
    n = int(rng.integers(min(fx, fy) + 1, max(fx, fy) + 1))
    return Plan(
        "intersection",
        "intersect_hq_founded",
        {
            "op": "intersect",
            "conditions": [{"rel": "headquarters", "value": city}, {"attr": "founded", "lt": n}],
        },
        [(x, "headquarters"), (y, "headquarters"), (x, "founded"), (y, "founded")],
        {"a": city, "n": n},
        enumerates="headquarters",
    )


def _count_hq_items(w: World, rng: np.random.Generator) -> Plan | None:
    found = _pair_city(w)
    if found is None:
        return None
    city, (x, y) = found
    return Plan(
        "counting",
        "count_hq_items",
        {"op": "sum_items", "conditions": [{"rel": "headquarters", "value": city}], "where": {}},
        [(x, "headquarters"), (y, "headquarters")],
        {"a": city},
        scenes=[x, y],
        scene_param="count",
        enumerates="headquarters",
    )


def _count_hq_employees(w: World, rng: np.random.Generator) -> Plan | None:
    found = _pair_city(w)
    if found is None:
        return None
    city, (x, y) = found
    ex, ey = int(w.get(x, "employees")), int(w.get(y, "employees"))
    n = int(rng.integers(0, 100)) * 1000
    if n in (ex, ey):
        return None
    return Plan(
        "counting",
        "count_hq_employees",
        {
            "op": "count_entities",
            "conditions": [{"rel": "headquarters", "value": city}, {"attr": "employees", "gt": n}],
        },
        [(x, "headquarters"), (y, "headquarters"), (x, "employees"), (y, "employees")],
        {"a": city, "n": f"{n:,}"},
        enumerates="headquarters",
    )


# -- temporal ----------------------------------------------------------------------------


def _years_org_event(w: World, rng: np.random.Generator) -> Plan:
    e = _pick(rng, w.entities["event"])
    org = str(w.get(e, "organiser"))
    return Plan(
        "temporal",
        "years_org_event",
        {
            "op": "year_diff",
            "from": {"start": e, "steps": [ORG], "attr": "founded"},
            "to": {"start": e, "steps": [], "attr": "year"},
        },
        [(e, "organiser"), (e, "year"), (org, "founded")],
        {"a": e},
    )


def _years_city_company(w: World, rng: np.random.Generator) -> Plan | None:
    c = _pick(rng, w.entities["company"])
    city = str(w.get(c, "headquarters"))
    if int(w.get(c, "founded")) <= int(w.get(city, "founded")):
        return None
    return Plan(
        "temporal",
        "years_city_company",
        {
            "op": "year_diff",
            "from": {"start": c, "steps": [HQ], "attr": "founded"},
            "to": {"start": c, "steps": [], "attr": "founded"},
        },
        [(c, "headquarters"), (city, "founded"), (c, "founded")],
        {"a": c},
    )


VARIANTS: dict[str, tuple[Callable[[World, np.random.Generator], Plan | None], ...]] = {
    "bridge": (
        _lookup_hq("population"),
        _lookup_hq("founded"),
        _lookup_org("founded"),
        _lookup_org("employees"),
        _lookup_org_hq_population,
        _lookup_led("employees"),
        _lookup_led("founded"),
        _lookup_ceo_born,
        _lookup_ceo_birthplace_population,
        _count_led_items,
        _count_org_items,
    ),
    "comparison": (
        _compare_hq_population,
        _compare_ceo_age,
        _compare_led_employees,
        _compare_org_founded,
    ),
    "intersection": (_intersect_hq_item, _intersect_hq_founded),
    "counting": (_count_hq_items, _count_hq_employees),
    "temporal": (_years_org_event, _years_city_company),
}


def plan_question(w: World, rng: np.random.Generator, qtype: str) -> Plan | None:
    """A question of type ``qtype`` on ``w``: variants are tried in a random order."""
    makers = VARIANTS[qtype]
    for i in rng.permutation(len(makers)).tolist():
        plan = makers[i](w, rng)
        if plan is not None:
            return plan
    return None


def _item_phrase(where: dict[str, str], plural: bool) -> str:
    shape = where.get("shape")
    noun = shape or "item"
    if plural:
        noun = PLURAL.get(noun, noun + "s")
    return " ".join(x for x in (where.get("color"), noun) if x)


def finish_scene_question(
    plan: Plan, scenes: dict[str, list[SceneItem]], rng: np.random.Generator
) -> bool:
    """Choose the item filter of a scene question from what the scenes show.

    count: a colour or a shape one of the scenes shows (the count may still be 0 for the
    other scene); intersect: a colour, else a colour and shape, that exactly one of the
    candidate scenes shows. False when no filter fits (the candidate is rejected).
    """
    items = [o for c in plan.scenes for o in scenes[c]]
    if plan.scene_param == "count":
        obj = items[int(rng.integers(len(items)))]
        where = {"color": obj.color} if rng.random() < 0.6 else {"shape": obj.shape}
        plan.program["where"] = where
        plan.args["item"] = _item_phrase(where, plural=True)
        return True
    options: list[dict[str, str]] = []
    for keys in (("color",), ("color", "shape")):
        combos = {tuple(getattr(o, k) for k in keys) for o in items}
        for combo in sorted(combos):
            where = dict(zip(keys, combo, strict=True))
            owners = [
                c
                for c in plan.scenes
                if any(all(getattr(o, k) == v for k, v in where.items()) for o in scenes[c])
            ]
            if len(owners) == 1:
                options.append(where)
        if options:
            break
    if not options:
        return False
    where = options[int(rng.integers(len(options)))]
    plan.program["conditions"].append({"has_item": where})
    plan.args["item"] = _item_phrase(where, plural=False)
    return True
