"""Colour questions about real things (issue #15 finding 2): the sprite world draws each
category in a few colours (a bee yellow or purple), so an open "what color is the bee?" or
"how many pink bees?" is answered by the name alone. The suite offers the colours the
world draws the category in and keeps each of them equally often; these tests check both
against the atlas, which the check reads on its own."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from synthgen.generators.qa import QAConfig, QASuite
from synthgen.generators.qa.attributes import flat_draw
from synthgen.world.choice import default_config
from synthgen.world.sprites.atlas import load_atlas
from synthgen.world.sprites.colours import named_colour
from tests.helpers import drawn_sprite_views

KINDS = (
    "typed_attribute",
    "typed_attribute_at_region",
    "attribute_count",
    "compositional_count",
    "compositional_exists",
    "negation_count",
    "negation_exists",
)


def test_flat_draw_keeps_each_colour_equally_often() -> None:
    palette = {"red": 0.75, "blue": 0.25}
    rng = np.random.default_rng(0)
    drawn = rng.choice(["red", "blue"], size=40_000, p=[0.75, 0.25])
    kept = Counter(str(c) for c in drawn if flat_draw(rng, palette, str(c)))
    share = kept["red"] / sum(kept.values())
    assert abs(share - 0.5) < 0.02, kept


@pytest.fixture(scope="module")
def asked() -> list[tuple[object, object]]:
    settings = default_config("sprites")
    suite = QASuite(
        QAConfig(kinds=KINDS, per_image=len(KINDS), multiple_choice_ratio=0),
        calibration_world=settings,
    )
    rng = np.random.default_rng(5)
    out = []
    for view in drawn_sprite_views(rng, settings):
        if len(out) >= 500:  # colour is asked of named art only: ~25 colour counts in 500
            break
        out += [(view, qa) for qa in suite.ask(view, rng)]
    return out


def _atlas_colours(category: str) -> set[str]:
    """The colours a person names the category's art by (art with no one colour has none)."""
    return {named_colour(s) for s in load_atlas().sprites(category)} - {""}


def test_colour_of_a_thing_is_asked_with_its_kinds_colours_as_options(asked) -> None:
    seen = 0
    for view, qa in asked:
        if not qa.kind.startswith("typed_attribute") or qa.program["query"] != "color":
            continue
        seen += 1
        options = qa.program.get("options")
        assert options and len(options) >= 2 and len(set(options)) == len(options), qa
        assert qa.answer in options and qa.answer in qa.question, qa
        assert all(o in qa.question for o in options), qa
        if "region" in qa.program:
            (thing,) = [o for o in view.objects if list(o.bbox) == qa.program["region"]]
        else:
            name, attrs = qa.program["ref"]["name"], qa.program["ref"]["attrs"]
            (thing,) = [
                o for o in view.members(name) if all(o.attrs.get(k) == v for k, v in attrs.items())
            ]
        assert set(options) <= _atlas_colours(view.world.category[thing.id]), qa
    assert seen >= 20


def test_colour_counted_is_one_the_things_kind_comes_in(asked) -> None:
    seen = 0
    for view, qa in asked:
        select = qa.program.get("select", {})
        if qa.kind != "attribute_count" or "color" not in select.get("attrs", {}):
            continue
        seen += 1
        kinds = {view.world.category[o.id] for o in view.members(select["name"])}
        assert kinds, qa  # a name the image shows
        assert any(select["attrs"]["color"] in _atlas_colours(k) for k in kinds), qa
    assert seen >= 20


def test_compositional_names_things_that_hold_the_relation_here(asked) -> None:
    """ "Is there a penguin flying in the sky?" is "no" by the words: the named things
    hold the predicate toward something in this image, and a colour asked of them is one
    their kind comes in."""
    seen = 0
    for view, qa in asked:
        if not qa.kind.startswith("compositional"):
            continue
        seen += 1
        select = qa.program["select"]
        pred = select["rel"]["pred"]
        subjects = {s for s, p, _ in view.triples if p == pred}
        named = view.members(select["name"])
        assert any(o.id in subjects for o in named), qa
        colour = select["attrs"].get("color")
        if colour is not None:
            kinds = {view.world.category[o.id] for o in named}
            assert any(colour in _atlas_colours(k) for k in kinds), qa
    assert seen >= 20


def test_negated_colour_is_one_the_things_kind_comes_in(asked) -> None:
    """ "A turtle that is not red" is "yes" by the words when turtles come green or
    yellow: the negated colour is one of the named kind's."""
    seen = 0
    for view, qa in asked:
        if not qa.kind.startswith("negation") or qa.program["select"]["not"]["key"] != "color":
            continue
        seen += 1
        select = qa.program["select"]
        kinds = {view.world.category[o.id] for o in view.members(select["name"])}
        assert any(select["not"]["value"] in _atlas_colours(k) for k in kinds), qa
    assert seen >= 20
