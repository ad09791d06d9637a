"""Which things of a sprite scene an edit may take away, move or redraw alone."""

from __future__ import annotations

import numpy as np

from synthgen.world.sprites import SpritesConfig, SpriteWorld, tables
from synthgen.world.sprites import edits as E
from synthgen.world.sprites.edits import leaf_things
from synthgen.world.sprites.render import layer_drawable, render_scene


def test_a_hanging_light_and_its_wire_are_never_edited_alone():
    """ "Delete the wire from the picture" left the light it held floating under the
    ceiling; removing, moving or resizing the light would leave its wire ending in the
    air. A wire attached to a thing, and that thing, are not leaf things."""
    w = SpriteWorld()
    config = SpritesConfig(
        scene_types=("kitchen", "living_room", "bedroom", "office", "restaurant")
    )
    wires = 0
    for seed in range(120):
        scene = w.sample(np.random.default_rng([83, seed]), config)
        leaves = set(leaf_things(scene))
        for r in scene.relations:
            if r.predicate == "attached to" and scene.objects[r.subject - 1].name == "wire":
                wires += 1
                assert r.subject not in leaves, (seed, "wire")
                assert r.object not in leaves, (seed, scene.objects[r.object - 1].name)
    assert wires >= 10, wires


def test_a_moved_thing_is_never_drawn_over_a_nearer_one():
    """A chair moved sideways kept its place in the draw order and was drawn on top of a
    desk standing nearer the camera (the desk's legs end lower in the picture). After a
    sideways move or a resize, wherever the moved thing's art meets the art of a thing whose
    foot row is more than a few pixels lower (nearer; not its support), the rendered id map
    shows the nearer thing."""
    w, t = SpriteWorld(), tables("emoji")
    config = SpritesConfig()
    moves = checked = 0
    for seed in range(150):
        scene = w.sample(np.random.default_rng([89, seed]), config)
        for oid in leaf_things(scene)[:6]:
            i = E._main_layer(scene, oid)
            if i is None or E.holder_of(scene, oid) is not None:
                continue  # held things move with their holder
            lay = scene.layers[i]
            tries = [E.move(scene, oid, t, dx) for dx in (-2 * lay.w, -lay.w, lay.w, 2 * lay.w)]
            for edited in [*tries, E.resize(scene, oid, t, 1.5)]:
                if edited is None:
                    continue
                moves += 1
                checked += _nearer_things_stay_on_top(edited.scene, oid)
    assert moves >= 100, moves
    assert checked >= 20, checked  # moved things did meet nearer ones


def _opaque(scene, lay, shape) -> np.ndarray:
    """Image-sized mask of a layer's art where it is nearly opaque (alpha >= 200): there the
    id map gives the pixel to whichever layer is drawn last."""
    art = layer_drawable(scene, lay)
    if lay.kind == "sprite":
        m = np.asarray(art.im.split()[-1]) >= 200
        if lay.key[4]:
            m = m[:, ::-1]
    else:
        m = art.mask
    out = np.zeros(shape, bool)
    h, w = m.shape
    x0, y0 = max(lay.x, 0), max(lay.y, 0)
    x1, y1 = min(lay.x + w, shape[1]), min(lay.y + h, shape[0])
    if x0 < x1 and y0 < y1:
        out[y0:y1, x0:x1] = m[y0 - lay.y : y1 - lay.y, x0 - lay.x : x1 - lay.x]
    return out


def _nearer_things_stay_on_top(scene, oid: int) -> int:
    ids = np.asarray(render_scene(scene).ids)
    lay = scene.layers[E._main_layer(scene, oid)]
    foot = lay.y + lay.h
    support = E.support_of(scene, oid)
    skip = E.parts_of(scene, oid) | (E.parts_of(scene, support[0]) if support else set())
    mine = _opaque(scene, lay, ids.shape)
    met = 0
    for other in scene.layers:
        if other is lay or other.kind == "overlay" or skip & set(other.oids):
            continue
        if all(scene.objects[k - 1].role == "backdrop" for k in other.oids):
            continue
        if other.y + other.h <= foot + 4:
            continue  # not clearly nearer
        both = mine & _opaque(scene, other, ids.shape)
        if both.any():
            met += 1
            assert not (ids[both] == oid).any(), (scene.objects[oid - 1].name, other.oids)
    return met


def test_a_thing_in_the_water_is_not_moved_or_resized_alone():
    """A surfer or a swimmer is drawn with the water redrawn over its lower part. Moved
    sideways, the surfer stood on the water with its legs showing, and a patch of water
    floated where it had been. Things in the water are neither moved nor resized."""
    w, t = SpriteWorld(), tables("emoji")
    config = SpritesConfig(scene_types=("beach",))
    tried = 0
    for seed in range(80):
        scene = w.sample(np.random.default_rng([97, seed]), config)
        water = {o.oid for o in scene.objects if o.name == "water"}
        for r in scene.relations:
            if r.predicate != "in" or r.object not in water:
                continue
            if E.holder_of(scene, r.subject) is not None or r.subject not in leaf_things(scene):
                continue
            lay = scene.layers[E._main_layer(scene, r.subject)]
            tried += 1
            assert E.move(scene, r.subject, t, lay.w) is None, scene.objects[r.subject - 1].name
            assert E.move(scene, r.subject, t, -lay.w) is None
            assert E.resize(scene, r.subject, t, 1.3) is None
    assert tried >= 10, tried


def test_things_on_a_table_never_show_through_what_stands_at_it():
    """A potted plant on a desk was drawn over the face of a man standing behind a chair at
    the desk: the things on a table top were drawn nearer than the chairs and people at it.
    Wherever a thing on a table and a chair or person at that table are both opaque, the
    rendered id map shows the chair or the person."""
    w = SpriteWorld()
    config = SpritesConfig(scene_types=("office", "classroom", "restaurant"))
    met = 0
    for seed in range(60):
        scene = w.sample(np.random.default_rng([101, seed]), config)
        ids = np.asarray(render_scene(scene).ids)
        layer_of = {oid: lay for lay in scene.layers for oid in lay.oids[:1]}
        for at in scene.relations:
            if at.predicate != "at" or at.subject not in layer_of:
                continue
            front = _opaque(scene, layer_of[at.subject], ids.shape)
            for on in scene.relations:
                if on.predicate != "on" or on.object != at.object or on.subject not in layer_of:
                    continue
                both = front & _opaque(scene, layer_of[on.subject], ids.shape)
                if both.any():
                    met += 1
                    assert not (ids[both] == on.subject).any(), (seed, at, on)
    assert met >= 10, met
