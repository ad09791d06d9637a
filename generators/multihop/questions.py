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
from synthgen.generators.qa.templates import article
from synthgen.generators.qa.templates import plural as plural_noun

HQ = {"rel": "headquarters"}
ORG = {"rel": "organiser"}
LED = {"rel": "ceo", "inverse": True}


@dataclass
class Plan:
    """A question of one variant instantiated on a world.

    ``program`` is what :func:`~.evaluate.evaluate` runs; ``hops`` are the (subject,
    predicate) facts it reads, which the layout must state somewhere in the pool; ``args``
    fill the variant's phrasings; ``scenes`` are the companies whose product-line scenes it
    reads, with ``scene_param`` saying how :func:`finish_scene_question` completes it."""

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


def _lookup(
    variant: str, kind: str, rels: tuple[str, ...], attr: str
) -> Callable[[World, np.random.Generator], Plan | None]:
    """Follow ``rels`` from an entity of ``kind`` and read ``attr`` of where they lead."""

    def make(w: World, rng: np.random.Generator) -> Plan:
        start = _pick(rng, w.entities[kind])
        hops, here = [], start
        for rel in rels:
            hops.append((here, rel))
            here = str(w.get(here, rel))
        return Plan(
            "bridge",
            variant,
            {"op": "lookup", "start": start, "steps": [{"rel": r} for r in rels], "attr": attr},
            [*hops, (here, attr)],
            {"a": start},
        )

    return make


def _lookup_led(attr: str) -> Callable[[World, np.random.Generator], Plan | None]:
    """Read ``attr`` of the company a person leads (the ``ceo`` relation backwards)."""

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


def _compare(
    variant: str, kind: str, rel: str, attr: str, goal: str, inverse: bool = False
) -> Callable[[World, np.random.Generator], Plan | None]:
    """Which of two entities reached by ``rel`` has the larger (``goal="max"``) or smaller
    ``attr``. Two entities of ``kind`` are drawn; the question starts from them and follows
    ``rel``, or (``inverse``) starts from their ``rel`` values and follows it backwards to
    them. None when both reach one entity or the values tie (no unique answer)."""
    step = {"rel": rel, "inverse": True} if inverse else {"rel": rel}

    def make(w: World, rng: np.random.Generator) -> Plan | None:
        x, y = _two(rng, w.entities[kind])
        ends = [str(w.get(x, rel)), str(w.get(y, rel))]
        starts, targets = (ends, [x, y]) if inverse else ([x, y], ends)
        if targets[0] == targets[1] or w.get(targets[0], attr) == w.get(targets[1], attr):
            return None
        return Plan(
            "comparison",
            variant,
            {
                "op": "compare",
                "attr": attr,
                "goal": goal,
                "items": [{"start": s, "steps": [step]} for s in starts],
            },
            [(x, rel), (y, rel), (targets[0], attr), (targets[1], attr)],
            {"a": starts[0], "b": starts[1]},
        )

    return make


# -- intersection and counting -----------------------------------------------------------


Condition = Callable[[World, np.random.Generator, list[str]], tuple[dict[str, Any], Any] | None]
"""An attribute test over a pair of companies: (condition, phrase argument) or None."""


def _pair_question(
    qtype: str,
    variant: str,
    op: str,
    condition: Condition | None = None,
    scene_param: str | None = None,
) -> Callable[[World, np.random.Generator], Plan | None]:
    """A question over "the companies headquartered in C", the city that hosts exactly two
    (the world guarantees one): the table rows that list them are read together
    (``enumerates``). ``condition(world, rng, pair)`` adds an attribute test, returning
    (condition, its phrase argument ``n``) or None when no test separates the pair;
    ``scene_param`` makes the question read the pair's product-line scenes instead."""

    def make(w: World, rng: np.random.Generator) -> Plan | None:
        found = _pair_city(w)
        if found is None:
            return None
        city, pair = found
        program: dict[str, Any] = {"op": op, "conditions": [{"rel": "headquarters", "value": city}]}
        hops = [(c, "headquarters") for c in pair]
        plan = Plan(qtype, variant, program, hops, {"a": city}, enumerates="headquarters")
        if scene_param is not None:
            plan.scenes, plan.scene_param = list(pair), scene_param
            if op == "sum_items":
                program["where"] = {}
        if condition is not None:
            made = condition(w, rng, pair)
            if made is None:
                return None
            test, plan.args["n"] = made
            program["conditions"].append(test)
            plan.hops += [(c, test["attr"]) for c in pair]
        return plan

    return make


def _founded_before(
    w: World, rng: np.random.Generator, pair: list[str]
) -> tuple[dict[str, Any], Any] | None:
    """A year that one company of the pair was founded before and the other not."""
    fx, fy = (int(w.get(c, "founded")) for c in pair)
    if fx == fy:
        return None
    n = int(rng.integers(min(fx, fy) + 1, max(fx, fy) + 1))
    return {"attr": "founded", "lt": n}, n


def _employees_over(
    w: World, rng: np.random.Generator, pair: list[str]
) -> tuple[dict[str, Any], Any] | None:
    """A round head count (>= 1,000, else no condition) neither company has exactly."""
    n = int(rng.integers(1, 100)) * 1000
    if n in (w.get(c, "employees") for c in pair):
        return None
    return {"attr": "employees", "gt": n}, f"{n:,}"


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
        _lookup("lookup_hq_population", "company", ("headquarters",), "population"),
        _lookup("lookup_hq_founded", "company", ("headquarters",), "founded"),
        _lookup("lookup_org_founded", "event", ("organiser",), "founded"),
        _lookup("lookup_org_employees", "event", ("organiser",), "employees"),
        _lookup("lookup_org_hq_population", "event", ("organiser", "headquarters"), "population"),
        _lookup_led("employees"),
        _lookup_led("founded"),
        _lookup("lookup_ceo_born", "company", ("ceo",), "born"),
        _lookup("lookup_ceo_birthplace_population", "company", ("ceo", "born_in"), "population"),
        _count_led_items,
        _count_org_items,
    ),
    "comparison": (
        _compare("compare_hq_population", "company", "headquarters", "population", "max"),
        _compare("compare_ceo_age", "company", "ceo", "born", "min"),
        _compare("compare_led_employees", "company", "ceo", "employees", "max", inverse=True),
        _compare("compare_org_founded", "event", "organiser", "founded", "min"),
    ),
    "intersection": (
        _pair_question("intersection", "intersect_hq_item", "intersect", scene_param="intersect"),
        _pair_question("intersection", "intersect_hq_founded", "intersect", _founded_before),
    ),
    "counting": (
        _pair_question("counting", "count_hq_items", "sum_items", scene_param="count"),
        _pair_question("counting", "count_hq_employees", "count_entities", _employees_over),
    ),
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
    """ "red cubes" (plural) or "a red cube" / "an item" (singular) for an item filter."""
    shape = where.get("shape")
    noun = shape or "item"
    if plural:
        noun = plural_noun(noun)
    phrase = " ".join(x for x in (where.get("color"), noun) if x)
    if plural:
        return phrase
    return article(phrase)


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
