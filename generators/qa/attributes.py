"""Attribute kinds (ProVision's attribute family): counting with an attribute, the value of
a typed attribute of a described object or of the object at a region, and all attributes of
the object at a region.

A description never mentions the attribute type that is asked about (``what color is the
red cube`` would give the answer away).
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from synthgen.generators.qa.base import QA, QuestionKind, permutation, question_kinds, sample
from synthgen.generators.qa.graph import DESCRIBE_ORDER, QAGraph, QObject, phrase
from synthgen.generators.qa.programs import pick, ref
from synthgen.generators.qa.refexp import region
from synthgen.generators.qa.templates import Templates, be, either, plural


@question_kinds.register
class AttributeCount(QuestionKind):
    """How many objects of a name with one attribute value. Half the proposals describe an
    existing object, half draw name and value from the vocabulary (so 0 is an answer).

    Colours of real things (graphs with a world palette, :attr:`WorldFacts.palette`): the
    world draws a bee yellow or purple, so "how many pink bees" is 0 without a look. The
    name is then a shown thing's, the colour one its category is drawn in (uniformly),
    and the thing is kept with probability ``min share / its colour's share``: every
    colour of the palette matches as often, so the colour word tells nothing about the
    count."""

    name = "attribute_count"
    family = "attribute"
    version = "3"
    answer_type = "count"
    requires = frozenset({"typed_attributes"})
    balance = True

    def ask(self, g: QAGraph, rng: np.random.Generator, t: Templates) -> QA | None:
        keys = g.typed_keys
        if not keys or not g.objects:
            return None
        key = pick(rng, keys)
        o = pick(rng, g.objects)
        palette = colour_palette(g, o) if key == "color" else None
        if palette is not None:
            if not flat_draw(rng, palette, o.attrs["color"]):
                return None
            name, value = o.name, pick(rng, sorted(palette))
        elif g.world is not None and g.world.palette and key == "color":
            return None  # a thing of one colour, or of no known palette
        elif rng.random() < 0.5 and key in o.attrs:
            name, value = o.name, o.attrs[key]
        else:
            names = g.count_names()
            if not names:
                return None
            name, value = pick(rng, names), pick(rng, g.values(key))
        attrs = {key: value}
        members = g.members(name)
        if g.lexicon is not None and (
            not g.countable(name) or any(key not in x.attrs for x in members)
        ):
            return None  # a name not counted, or a member without the attribute
        count = sum(1 for x in members if x.attrs.get(key) == value)
        program = {"op": "count", "select": ref(name, attrs)}
        return self.make(t, rng, count, program, objs=plural(phrase(name, attrs)))

    def balance_key(self, qa: QA) -> str:
        return next(iter(qa.program["select"]["attrs"]))


def colour_palette(g: QAGraph, o: QObject) -> dict[str, float] | None:
    """The colours (-> shares) the world draws ``o``'s category in, when ``o`` has a
    colour among two or more of them; None otherwise (no palette known, one colour)."""
    if g.world is None or not g.world.palette or "color" not in o.attrs:
        return None
    got = g.world.palette.get(g.world.category.get(o.id, ""))
    if got is None or len(got) < 2 or o.attrs["color"] not in got:
        return None
    return dict(got)


def flat_draw(rng: np.random.Generator, palette: dict[str, float], color: str) -> bool:
    """Keep a thing of ``color`` with probability ``min share / its share`` (one draw), so
    kept things show each colour of ``palette`` equally often."""
    return bool(rng.random() < min(palette.values()) / palette[color])


@question_kinds.register
class TypedAttributeOfObject(QuestionKind):
    """The color/material/size of a uniquely described object.

    Colours of real things (graphs with a world palette): an open "what color is the bee?"
    has one of two answers to a model that knows bees come yellow or purple, while the
    question's form allows any of ~10. So the question offers the colours the world draws
    the thing's category in (the answer and up to three others, shuffled): "Is the bee
    yellow or purple?", and the thing is kept with probability ``min share / its colour's
    share`` so each offered colour is the answer equally often. Things of a category drawn
    in one colour are not asked (the name answers)."""

    name = "typed_attribute"
    family = "attribute"
    version = "4"
    answer_type = "attribute"
    requires = frozenset({"typed_attributes"})
    balance = True

    def balance_key(self, qa: QA) -> str:
        # per asked type and name: real kinds have usual colours (cars red, bananas yellow)
        # that the name would give away. A question with options is flattened by its own
        # draw (``flat_draw``) and shuffled: a table per name and option set, calibrated on
        # a few dozen proposals each, only added noise (sunglasses gray 37 : purple 11)
        if "options" in qa.program:
            return f"{qa.program['query']}|{len(qa.program['options'])}"
        return f"{qa.program['query']}|{qa.program['ref']['name']}"

    def ask(self, g: QAGraph, rng: np.random.Generator, t: Templates) -> QA | None:
        o = pick(rng, g.objects)
        asked = [k for k in DESCRIBE_ORDER if k in o.attrs]
        if not asked:
            return None
        key = pick(rng, asked)
        palette = colour_palette(g, o) if key == "color" else None
        if (
            key == "color"
            and g.world is not None
            and g.world.palette
            and (palette is None or not flat_draw(rng, palette, o.attrs[key]))
        ):
            return None
        described = g.ref_for(o, key)
        if described is None:
            return None
        text, attrs = described
        program = {"op": "query", "ref": ref(o.name, attrs), "query": key}
        if palette is None:
            return self.make(t, rng, o.attrs[key], program, obj=text, type=key)
        options = program["options"] = colour_options(rng, palette, o.attrs[key])
        return self.make(
            t,
            rng,
            o.attrs[key],
            program,
            table="typed_attribute_options",
            obj=text,
            type=key,
            options=either(options, ""),
            be=be(text),
            Be=be(text).capitalize(),
        )


MAX_OPTIONS = 4
"""Most colours a colour question offers (the answer and three of its palette's others)."""


def colour_options(rng: np.random.Generator, palette: dict[str, float], answer: str) -> list[str]:
    """The colours a question offers: ``answer`` and up to ``MAX_OPTIONS - 1`` others of
    ``palette``, shuffled."""
    others = sample(rng, sorted(c for c in palette if c != answer), MAX_OPTIONS - 1)
    options = [answer, *others]
    return [options[i] for i in permutation(rng, len(options))]  # programs.shuffled


@question_kinds.register
class AttributesAtRegion(QuestionKind):
    """All typed attributes of the object at a region, in phrase order. (The box's size
    hints at the object's size, but with 48 answers that is worth about two points to a
    question-only model, measured; not balanced.)"""

    name = "attributes_at_region"
    family = "attribute"
    version = "2"
    answer_type = "attribute"
    requires = frozenset({"typed_attributes"})

    def ask(self, g: QAGraph, rng: np.random.Generator, t: Templates) -> QA | None:
        o = pick(rng, g.objects)
        words = [o.attrs[k] for k in DESCRIBE_ORDER if k in o.attrs]
        if g.lexicon is not None and len(words) < len(DESCRIBE_ORDER):
            return None  # the question names size, color and material: asked of all three
        if not words or not _unique_box(g, o.bbox):
            return None
        program = {"op": "query", "region": list(o.bbox), "query": "attributes"}
        return self.make(t, rng, " ".join(words), program, region=region(o))


@question_kinds.register
class TypedAttributeAtRegion(QuestionKind):
    """One typed attribute (color, material or size) of the object at a region. Sizes are
    flattened per box area octave, so the box gives no hint."""

    name = "typed_attribute_at_region"
    family = "attribute"
    answer_type = "attribute"
    requires = frozenset({"typed_attributes"})
    balance = True
    balance_floor = 0.0
    types: ClassVar[tuple[str, ...]] = DESCRIBE_ORDER

    def balance_key(self, qa: QA) -> str:
        query = qa.program["query"]
        if "options" in qa.program:
            return f"{query}|{len(qa.program['options'])}"
        return f"size|{area_bucket(qa.program['region'])}" if query == "size" else query

    def ask(self, g: QAGraph, rng: np.random.Generator, t: Templates) -> QA | None:
        o = pick(rng, g.objects)
        asked = [k for k in self.types if k in o.attrs]
        if not asked or not _unique_box(g, o.bbox):
            return None
        key = pick(rng, asked)
        program = {"op": "query", "region": list(o.bbox), "query": key}
        if key != "color" or g.world is None or not g.world.palette:
            return self.make(t, rng, o.attrs[key], program, region=region(o), type=key)
        # real things: a box's size and place tell the kind, and the kind its colour (as
        # typed_attribute): offered the kind's colours, each kept equally often
        palette = colour_palette(g, o)
        if palette is None or not flat_draw(rng, palette, o.attrs[key]):
            return None
        options = program["options"] = colour_options(rng, palette, o.attrs[key])
        return self.make(
            t,
            rng,
            o.attrs[key],
            program,
            table="typed_attribute_at_region_options",
            region=region(o),
            type=key,
            options=either(options, ""),
        )


def area_bucket(region: list[int]) -> str:
    """Octave of the box area: the cue a region gives about the object's size."""
    return f"area{max(0, int(math.log2(max(1, region[2] * region[3]))))}"


def _unique_box(g: QAGraph, bbox: tuple[int, int, int, int]) -> bool:
    return sum(1 for o in g.objects if o.bbox == bbox) == 1
