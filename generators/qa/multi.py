"""Multi-image kinds (ProVision's 14) over 2-4 graphs, images named ``Image 1`` ... in order.

select (8): in which image does O stand in relation R to P (or not); which image has an O
(or lacks one); has an O with attribute A (or lacks one); has the most / fewest Os.
aggregate (4): the object names common to all images; the attributes the O of every image
shares; how many Os (with attribute A) in total.
compare (2): how the relation between O and P differs across images; how O's attributes
differ across images.

A description used across images selects at most one object in every image (exactly one
where the question presumes the object). Select questions have exactly one right image.

Open worlds (graphs with a :class:`~synthgen.generators.qa.graph.Lexicon`, the sprite
world's): names are category words read as a viewer reads them. A name is asked about only
when every image settles it (:func:`count_in`): it is counted there (every visible thing it
denotes is named in the graph) or no visible thing there is or may be called so (the
lexicon's ``said``), so "which image has no dog" never rests on a dog too hidden to name or a
puppy named otherwise. Only things are asked about (no backdrop pieces, no parts). Relation
questions use the placed relations alone (:attr:`WorldFacts.closed`: a placement rule states
every relation of its predicate it makes, so its absence means "does not hold"); the
nearest-neighbour geometric and facing-cone ones say nothing by their absence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import Any, ClassVar

import numpy as np

from synthgen.generators.qa.base import QA, MultiImageKind, question_kinds
from synthgen.generators.qa.graph import DESCRIBE_ORDER, OPPOSITE, QAGraph, QObject, phrase
from synthgen.generators.qa.programs import image_name, pick, ref
from synthgen.generators.qa.refexp import select
from synthgen.generators.qa.templates import Templates, article, is_mass, plural, say, say_all

CHANGED_LOOKS = ("color", "material")
"""Attributes a related view may change (svg_multi's recolor / rematerial): a physical
total is not asked over a thing whose look changed, since a person can't tell it is one."""
SELECT_PREDICATES = ("left of", "right of", "in front of", "behind")


def _is_open(graphs: Sequence[QAGraph]) -> bool:
    """Whether the graphs are an open world's (names read through a lexicon)."""
    return any(g.lexicon is not None for g in graphs)


def count_in(g: QAGraph, name: str) -> int | None:
    """How many things ``name`` denotes in ``g``; None when the image leaves it in doubt (a
    word some visible thing may or may not be called, a mass noun, a backdrop word)."""
    lex = g.lexicon
    if lex is None:
        return g.name_counts[name]
    if is_mass(name):
        return None
    if name in lex.countable:
        return len(lex.members[name])
    if lex.said is not None and name not in lex.said:
        return 0
    return None


def selected(g: QAGraph, name: str, attrs: Mapping[str, str]) -> list[QObject] | None:
    """The objects a description selects in ``g`` (:func:`select` for closed graphs); None
    in an open world when the name is in doubt there or one of its things lacks an
    attribute the description uses (its colour is not stated: it might match)."""
    if g.lexicon is None:
        return select(g, name, attrs)
    if count_in(g, name) is None:
        return None
    things = g.members(name)
    if any(k not in o.attrs for o in things for k in attrs):
        return None
    return [o for o in things if all(o.attrs[k] == v for k, v in attrs.items())]


def _names(graphs: Sequence[QAGraph]) -> list[str]:
    """Names to ask about: every graph's names; in an open world the things' countable
    names that every image settles (:func:`count_in`)."""
    if not _is_open(graphs):
        return sorted(set().union(*(g.names() for g in graphs)))
    cands = set().union(*(g.count_names() for g in graphs))
    return sorted(n for n in cands if all(count_in(g, n) is not None for g in graphs))


def _thing(g: QAGraph, o: QObject) -> bool:
    """Whether ``o`` is a thing of an open world (not a backdrop piece or a part)."""
    return g.world is not None and g.world.is_thing(o.id)


def _askable(graphs: Sequence[QAGraph], o: QObject, names: Sequence[str]) -> bool:
    """Whether ``o`` may be described across the images: a closed graph's objects all may;
    an open world's things whose name every image settles."""
    return not _is_open(graphs) or o.name in names


def _views(graphs: Sequence[QAGraph]) -> bool:
    """Whether the images are views of one scene (their objects carry physical ids)."""
    return all(g.identity is not None for g in graphs)


def _options(n: int) -> list[str]:
    return [image_name(i) for i in range(n)]


def cross_ref(
    graphs: Sequence[QAGraph], o: QObject, everywhere: bool
) -> tuple[str, dict[str, str]] | None:
    """Shortest description of ``o`` selecting at most one object in every image (exactly
    one in every image when ``everywhere``)."""
    typed = [k for k in DESCRIBE_ORDER if k in o.attrs]
    for size in range(len(typed) + 1):
        for keys in combinations(typed, size):
            attrs = {k: o.attrs[k] for k in keys}
            found = [selected(g, o.name, attrs) for g in graphs]
            if any(f is None for f in found):
                continue
            counts = [len(f) for f in found]  # type: ignore[arg-type]
            if max(counts) == 1 and (not everywhere or min(counts) == 1):
                return phrase(o.name, attrs), attrs
    return None


def _relation_state(g: QAGraph, a: dict[str, Any], p: str, b: dict[str, Any]) -> bool | None:
    """True / False / None (ambiguous: a description matches twice, or undecided pair).
    An open world's relation holds when a placement rule made it (:func:`_placed`)."""
    xs, ys = selected(g, a["name"], a["attrs"]), selected(g, b["name"], b["attrs"])
    if xs is None or ys is None or len(xs) > 1 or len(ys) > 1:
        return None
    if not xs or not ys:
        return False
    s, o = xs[0].id, ys[0].id
    if g.world is not None:
        return (s, p, o) in g.world.closed
    if g.holds(s, p, o):
        return True
    if not g.decided or g.holds(s, OPPOSITE[p], o):
        return False
    return None


class _Select(MultiImageKind):
    family = "multi_select"
    answer_type = "image"

    def finish(
        self,
        t: Templates,
        rng: np.random.Generator,
        graphs: Sequence[QAGraph],
        cond: dict[str, Any],
        want: bool,
        answer: int,
        table: str | None = None,
        **slots: Any,
    ) -> QA:
        program = {
            "op": "image_select",
            "cond": cond,
            "want": want,
            "options": _options(len(graphs)),
        }
        return self.make(t, rng, image_name(answer), program, table=table, **slots)


class _HasObject(_Select):
    """Which image has (lacks) a name / a name with one attribute value."""

    present: ClassVar[bool]
    with_attribute: ClassVar[bool]

    def ask_many(
        self, graphs: Sequence[QAGraph], rng: np.random.Generator, t: Templates
    ) -> QA | None:
        names = _names(graphs)
        if self.with_attribute:
            descs = sorted(
                {
                    (o.name, k, o.attrs[k])
                    for g in graphs
                    for o in g.objects
                    for k in DESCRIBE_ORDER
                    if k in o.attrs and _askable(graphs, o, names)
                }
            )
            cands = [(n, {k: v}) for n, k, v in descs]
        else:
            cands = [(n, {}) for n in names]
        valid = []
        for name, attrs in cands:
            found = [selected(g, name, attrs) for g in graphs]
            if any(f is None for f in found):
                continue
            has = [bool(f) for f in found]
            if has.count(self.present) == 1:
                valid.append((name, attrs, has.index(self.present)))
        if not valid:
            return None
        name, attrs, answer = pick(rng, valid)
        cond = {"has": {"name": name, "attrs": attrs}}
        text = phrase(name, attrs)
        return self.finish(
            t, rng, graphs, cond, self.present, answer, obj=article(text), obj_noun=text
        )


@question_kinds.register
class MultiObjectSelect(_HasObject):
    name = "multi_object_select"
    present = True
    with_attribute = False


@question_kinds.register
class MultiObjectAbsentSelect(_HasObject):
    name = "multi_object_absent_select"
    present = False
    with_attribute = False


@question_kinds.register
class MultiAttributeSelect(_HasObject):
    name = "multi_attribute_select"
    requires = frozenset({"typed_attributes"})
    present = True
    with_attribute = True


@question_kinds.register
class MultiAttributeAbsentSelect(_HasObject):
    name = "multi_attribute_absent_select"
    requires = frozenset({"typed_attributes"})
    present = False
    with_attribute = True


class _RelationSelect(_Select):
    """In which image is A <pred> B (holds in exactly one image), or is A not <pred> B (the
    relation holding in all but one); both objects are in every image, so the relation, not
    presence, decides."""

    requires = frozenset({"relations"})
    holds: ClassVar[bool]

    def ask_many(
        self, graphs: Sequence[QAGraph], rng: np.random.Generator, t: Templates
    ) -> QA | None:
        order = [int(i) for i in rng.permutation(len(graphs))]
        placed = _placed(graphs) if _is_open(graphs) else None
        for i in order[:2]:
            g = graphs[i]
            if placed is not None:
                if not placed[i]:
                    continue
                s, p, o = pick(rng, placed[i])
            else:
                preds = [p for p in SELECT_PREDICATES if p in g.pairs]
                if not preds:
                    continue
                p = pick(rng, preds)
                s, o = pick(rng, sorted(g.pairs[p]))
            # both objects in every image: where one is missing, presence alone would
            # decide the answer without a look at where they stand
            a = cross_ref(graphs, g.by_id[s], everywhere=True)
            b = cross_ref(graphs, g.by_id[o], everywhere=True)
            if a is None or b is None:
                continue
            ra, rb = ref(g.by_id[s].name, a[1]), ref(g.by_id[o].name, b[1])
            states = [_relation_state(x, ra, p, rb) for x in graphs]
            if None in states:
                continue
            if self.holds and states.count(True) == 1:
                answer = states.index(True)
            elif not self.holds and states.count(False) == 1:
                answer = states.index(False)
            else:
                continue
            cond = {"relation": {"subject": ra, "pred": p, "object": rb}}
            return self.finish(
                t,
                rng,
                graphs,
                cond,
                self.holds,
                answer,
                table=f"{self.name}.placed" if placed is not None else None,
                a=a[0],
                pred=say(p),
                b=b[0],
            )
        return None


def _placed(graphs: Sequence[QAGraph]) -> list[list[tuple[int, str, int]]]:
    """Per image of an open world, its placed relations between two things whose names every
    image settles ("the woman holding the umbrella", "the cup on the table"), sorted; the
    predicates any image states by geometry or gaze are left out (their absence says
    nothing)."""
    names = set(_names(graphs))
    open_preds = set().union(*(g.lexicon.open_predicates for g in graphs if g.lexicon))
    out = []
    for g in graphs:
        facts = g.world
        if facts is None:
            out.append([])
            continue
        out.append(
            sorted(
                (s, p, o)
                for s, p, o in facts.closed
                if p not in open_preds
                and facts.is_thing(s)
                and facts.is_thing(o)
                and s in g.by_id
                and o in g.by_id
                and g.by_id[s].name in names
                and g.by_id[o].name in names
            )
        )
    return out


@question_kinds.register
class MultiRelationSelect(_RelationSelect):
    name = "multi_relation_select"
    holds = True


@question_kinds.register
class MultiRelationAbsentSelect(_RelationSelect):
    name = "multi_relation_absent_select"
    holds = False


class _CountExtreme(_Select):
    """Which image has the most (fewest) objects of a name (unique extreme)."""

    most: ClassVar[bool]

    def ask_many(
        self, graphs: Sequence[QAGraph], rng: np.random.Generator, t: Templates
    ) -> QA | None:
        valid = []
        # an open world asks real comparisons of counts: "most" of at least two, "fewest"
        # with one in every image (1 vs 0 is "which image has one", asked by its own kind)
        least = (2 if self.most else 1) if _is_open(graphs) else 0
        for name in _names(graphs):
            counts = [count_in(g, name) or 0 for g in graphs]  # every image settles it
            best = max(counts) if self.most else min(counts)
            if counts.count(best) == 1 and max(counts) > 0 and best >= least:
                valid.append((name, counts.index(best)))
        if not valid:
            return None
        name, answer = pick(rng, valid)
        program = {
            "op": "image_extreme",
            "select": ref(name, {}),
            "most": "max" if self.most else "min",
            "options": _options(len(graphs)),
        }
        return self.make(t, rng, image_name(answer), program, objs=plural(name))


@question_kinds.register
class MultiMostSelect(_CountExtreme):
    name = "multi_most_select"
    most = True


@question_kinds.register
class MultiLeastSelect(_CountExtreme):
    name = "multi_least_select"
    most = False


@question_kinds.register
class MultiCommonObjects(MultiImageKind):
    """The object names every image has."""

    name = "multi_common_objects"
    family = "multi_aggregate"
    answer_type = "list"

    def ask_many(
        self, graphs: Sequence[QAGraph], rng: np.random.Generator, t: Templates
    ) -> QA | None:
        if _is_open(graphs):
            # the things' names of every image, each settled in every image (a name in doubt
            # anywhere could make the list incomplete)
            names = {
                o.name for g in graphs for o in g.objects if g.world and g.world.is_thing(o.id)
            }
            counts = {n: [count_in(g, n) for g in graphs] for n in sorted(names)}
            if any(None in c for c in counts.values()):
                return None
            common = [n for n, c in counts.items() if min(c) > 0]  # type: ignore[type-var]
        else:
            common = sorted(set.intersection(*(set(g.name_counts) for g in graphs)))
        if not common:
            return None
        # an open world names things large and unhidden enough to see clearly (a chick of a
        # few dozen pixels is left out), and the question says so
        table = f"{self.name}.things" if _is_open(graphs) else None
        return self.make(t, rng, ", ".join(common), {"op": "common_objects"}, table=table)

    def distractors(self, qa: QA, graphs: Sequence[QAGraph]) -> list[str]:
        """Wrong lists that look right: one name left out, one name in some image but not
        all added, or one name swapped for another of its kind (a cat for a dog)."""
        common = qa.answer.split(", ")
        seen = set(_names(graphs)) - set(common)
        out = [", ".join(sorted(set(common) - {n})) for n in common if len(common) > 1]
        out += [", ".join(sorted({*common, n})) for n in seen]
        for g in graphs[:1]:
            if g.world is None:
                continue
            for n in common:
                cats = {g.world.category[o.id] for o in g.members(n) if o.id in g.world.category}
                for c in sorted(cats):
                    for sib in g.world.siblings.get(c, ())[:3]:
                        if sib not in common and any(count_in(x, sib) == 0 for x in graphs):
                            out.append(", ".join(sorted({*common, sib} - {n})))
        return out


@question_kinds.register
class MultiCommonAttributes(MultiImageKind):
    """The attribute values the one object of a name in every image shares."""

    name = "multi_common_attributes"
    family = "multi_aggregate"
    answer_type = "attribute"
    requires = frozenset({"typed_attributes"})

    def ask_many(
        self, graphs: Sequence[QAGraph], rng: np.random.Generator, t: Templates
    ) -> QA | None:
        if _views(graphs):
            return None  # views of one scene: the "cubes" are one cube, compared with itself
        valid = []
        for name in _names(graphs):
            found = [selected(g, name, {}) for g in graphs]
            if any(f is None or len(f) != 1 for f in found):
                continue
            objs = [f[0] for f in found]  # type: ignore[index]
            shared = [
                objs[0].attrs[k]
                for k in DESCRIBE_ORDER
                if all(k in o.attrs and o.attrs[k] == objs[0].attrs[k] for o in objs)
            ]
            if shared:
                valid.append((name, shared))
        if not valid:
            return None
        name, shared = pick(rng, valid)
        return self.make(
            t,
            rng,
            ", ".join(shared),
            {"op": "common_attributes", "name": name},
            obj=name,
            objs=plural(name),
        )


class _Total(MultiImageKind):
    family = "multi_aggregate"
    answer_type = "count"
    balance = True
    with_attribute: ClassVar[bool]

    def ask_many(
        self, graphs: Sequence[QAGraph], rng: np.random.Generator, t: Templates
    ) -> QA | None:
        g = pick(rng, list(graphs))
        names = _names(graphs)
        objects = [o for o in g.objects if _askable(graphs, o, names)]
        if not objects or not names:
            return None
        o = pick(rng, objects)
        from_object = rng.random() < 0.7
        name = o.name if from_object else pick(rng, names)
        attrs: dict[str, str] = {}
        if self.with_attribute:
            keys = [k for k in DESCRIBE_ORDER if k in o.attrs]
            if not keys:
                return None
            key = pick(rng, keys)
            values = sorted(set().union(*(g.values(key) for g in graphs)))
            attrs[key] = o.attrs[key] if from_object else pick(rng, values)
        if _views(graphs):
            # views of one scene: count physical objects (a cube seen in three views is
            # one); an attribute may change between views, so only names are counted
            if attrs:
                return None
            found = [selected(x, name, {}) for x in graphs]
            if any(f is None for f in found):
                return None
            looks: dict[int, set[tuple[str | None, ...]]] = {}
            for x, f in zip(graphs, found, strict=True):
                for o in f:  # type: ignore[union-attr]
                    look = tuple(o.attrs.get(k) for k in CHANGED_LOOKS)
                    looks.setdefault(x.identity[o.id], set()).add(look)  # type: ignore[index]
            if any(len(v) > 1 for v in looks.values()):
                return None  # a recoloured thing: a person may count it twice, or once
            seen = set(looks)
            program = {"op": "total_count", "select": ref(name, {}), "physical": True}
            table = f"{self.name}.{'place' if _is_open(graphs) else 'views'}"
            return self.make(t, rng, len(seen), program, table=table, objs=plural(name))
        found = [selected(x, name, attrs) for x in graphs]
        if any(f is None for f in found):
            return None
        total = sum(len(f) for f in found)  # type: ignore[arg-type]
        program = {"op": "total_count", "select": ref(name, attrs)}
        return self.make(t, rng, total, program, objs=plural(phrase(name, attrs)))

    def balance_key(self, qa: QA) -> str:
        return str(len(qa.program["select"]["attrs"]))


@question_kinds.register
class MultiTotalCount(_Total):
    name = "multi_total_count"
    with_attribute = False


@question_kinds.register
class MultiTotalAttributeCount(_Total):
    name = "multi_total_attribute_count"
    requires = frozenset({"typed_attributes"})
    with_attribute = True


@question_kinds.register
class MultiRelationDiff(MultiImageKind):
    """How the relations between two objects (present once in every image) differ."""

    name = "multi_relation_diff"
    family = "multi_compare"
    answer_type = "text"
    requires = frozenset({"relations"})

    def ask_many(
        self, graphs: Sequence[QAGraph], rng: np.random.Generator, t: Templates
    ) -> QA | None:
        g = graphs[0]
        placed = _placed(graphs) if _is_open(graphs) else None
        if placed is not None:
            pairs = sorted({(s, o) for s, _, o in placed[0]})
        else:
            pairs = sorted(g.spatial_between)
        if not pairs:
            return None
        for _ in range(3):
            s, o = pick(rng, pairs)
            a = cross_ref(graphs, g.by_id[s], everywhere=True)
            b = cross_ref(graphs, g.by_id[o], everywhere=True)
            if a is None or b is None:
                continue
            sets = []
            for i, x in enumerate(graphs):
                xs, ys = selected(x, g.by_id[s].name, a[1]), selected(x, g.by_id[o].name, b[1])
                pair = (xs[0].id, ys[0].id)  # type: ignore[index]
                if placed is not None:  # an open world: its placed relations, all of them
                    sets.append(sorted(p for s2, p, o2 in placed[i] if (s2, o2) == pair))
                else:
                    sets.append(x.spatial_between.get(pair, []))
            if not all(sets) or all(v == sets[0] for v in sets):
                continue
            answer = "; ".join(f"{image_name(i)}: {say_all(v)}" for i, v in enumerate(sets))
            program = {
                "op": "relation_diff",
                "subject": ref(g.by_id[s].name, a[1]),
                "object": ref(g.by_id[o].name, b[1]),
            }
            return self.make(t, rng, answer, program, a=a[0], b=b[0])
        return None


@question_kinds.register
class MultiAttributeDiff(MultiImageKind):
    """How the attributes of the one object of a name in every image differ."""

    name = "multi_attribute_diff"
    family = "multi_compare"
    answer_type = "text"
    requires = frozenset({"typed_attributes"})

    def ask_many(
        self, graphs: Sequence[QAGraph], rng: np.random.Generator, t: Templates
    ) -> QA | None:
        valid = []
        for name in _names(graphs):
            found = [selected(g, name, {}) for g in graphs]
            if any(f is None or len(f) != 1 for f in found):
                continue
            objs = [f[0] for f in found]  # type: ignore[index]
            if any(
                any(k not in o.attrs for k in DESCRIBE_ORDER if k in objs[0].attrs) for o in objs
            ):
                continue
            differ = [
                k
                for k in DESCRIBE_ORDER
                if k in objs[0].attrs and len({o.attrs[k] for o in objs}) > 1
            ]
            if differ:
                valid.append((name, objs, differ))
        if not valid:
            return None
        name, objs, differ = pick(rng, valid)
        answer = "; ".join(
            f"{image_name(i)}: {', '.join(o.attrs[k] for k in differ)}" for i, o in enumerate(objs)
        )
        return self.make(t, rng, answer, {"op": "attribute_diff", "name": name}, obj=name)
