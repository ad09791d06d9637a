"""A sprite-world thing carries a colour only when a person would name it by that colour."""

from __future__ import annotations

import numpy as np

from synthgen.world.sprites import SpritesConfig, SpriteWorld, tables
from synthgen.world.sprites.colours import PALETTE, pixel_names
from synthgen.world.sprites.edits import current_sprite, recolour_options


def _top_two(rgba: np.ndarray) -> tuple[tuple[float, str], tuple[float, str]]:
    """The art's two most frequent pixel colours with their shares (counted here from the
    pixels, not read from the atlas label or the world's cached shares)."""
    names = pixel_names(rgba)
    if names is None:
        return (1.0, "black"), (0.0, "")
    counts = np.bincount(names, minlength=len(PALETTE)) / len(names)
    order = np.argsort(-counts, kind="stable")
    return (float(counts[order[0]]), PALETTE[order[0]]), (float(counts[order[1]]), "")


def test_things_are_named_by_a_colour_only_when_one_clearly_dominates():
    """Issue #15 finding 5 on real things: "What color is the drum: red or blue?" for a drum
    29 % red and 25 % blue is a coin flip to a careful reader. Every colour a scene gives a
    thing covers at least 40 % of its art's counted pixels and 1.5 times the next colour;
    art with a plurality under 30 % never carries one (on the old rule, every sprite carried
    its plurality colour: trams, drums and houses at 22-31 %). Art clearly of one colour
    (half its pixels, twice the next) always carries it."""
    w, config, t = SpriteWorld(), SpritesConfig(), tables("emoji")
    named = unnamed = 0
    for seed in range(120):
        scene = w.sample(np.random.default_rng([59, seed]), config)
        for o in scene.objects:
            got = current_sprite(scene, t, o.oid) if o.role == "thing" else None
            if got is None:
                continue
            (top, colour), (second, _) = _top_two(got[0].rgba)
            said = [a for a in o.attributes if a in PALETTE]
            if said:
                named += 1
                assert said == [colour] and top >= 0.4 and top >= 1.5 * second, (
                    o.category,
                    said,
                    round(top, 2),
                    round(second, 2),
                )
            else:
                unnamed += 1
                # clearly one colour (half the art, twice the next) is named
                assert top < 0.5 or top < 2 * second, (o.category, round(top, 2), colour)
    assert named > 500 and unnamed > 20, (named, unnamed)


def test_recolour_edits_go_between_clearly_coloured_art():
    """"Make the car blue" needs a car that is red before and blue after, to a person."""
    w, config, t = SpriteWorld(), SpritesConfig(), tables("emoji")
    checked = 0
    for seed in range(60):
        scene = w.sample(np.random.default_rng([61, seed]), config)
        for o in scene.objects:
            if o.role != "thing":
                continue
            options = recolour_options(scene, t, o.oid)
            if options:  # the thing itself is named by its colour before the edit
                (top, colour), (second, _) = _top_two(current_sprite(scene, t, o.oid)[0].rgba)
                assert [a for a in o.attributes if a in PALETTE] == [colour], o.category
                assert top >= 0.5 and top >= 1.5 * second, o.category
            for spr in options:
                (top, colour), (second, _) = _top_two(spr.rgba)
                assert colour == spr.color and top >= 0.5 and top >= 1.5 * second
                checked += 1
    assert checked > 50, checked


def test_snow_looks_white_under_every_light_of_its_scene():
    # Under the golden and warm lights the ski slope's snow was (255, 239, 200) and
    # (254, 242, 225), the colour of sand.
    # Read from the backdrop's own pixels: its snow piece, every variant a config draws.
    from synthgen.world.sprites.backdrop import backdrop, backdrop_image

    width, height = 448, 336
    for variant in range(SpritesConfig().backdrop_variants):
        labels, image = backdrop_image("ski", variant, width, height)
        pieces = backdrop("ski", variant, width, height).pieces
        k = 1 + max(i for i, p in enumerate(pieces) if p.name == "snow")  # the ground
        r, g, b = np.asarray(image)[labels == k].mean(axis=0)
        assert b >= 0.95 * r and b >= 0.95 * g, (variant, (r, g, b))
