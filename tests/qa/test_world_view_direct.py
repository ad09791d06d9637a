"""The QA view read straight from a sprite graph (``sources.world_view`` ->
``from_world_things``) is the view of the same graph read through its VG view and stored
JSON (``from_world_graph(graph.to_vg(), ..., graph.to_dict(), ...)``), and its lexicon
says for each word what a reference reading, word by word and thing by thing, says.

The direct reading skips the VG model and the JSON dicts (issue #15's speed target): these
tests fail when it reads any field, box, attribute, relation, mask or depth differently."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from synthgen.generators.qa import sources as S
from tests.helpers import sprite_scenes

N_SCENES = 40


@pytest.fixture(scope="module")
def scenes() -> list[tuple]:
    return sprite_scenes(N_SCENES)


def _through_vg(world, scene, rendering, graph):
    vg = graph.to_vg()
    pixels = S.id_pixel_counts(graph, rendering)
    return S.from_world_graph(
        vg, rendering, world.name, graph.to_dict(), S.unnamed_things(scene, pixels, vg)
    )


FIELDS = ("width", "height", "objects", "relations", "source", "lexicon", "world", "vocab")


def test_direct_view_equals_the_view_through_vg_and_json(scenes) -> None:
    parts = boxes_grown = colours_dropped = 0
    for world, scene, rendering, graph in scenes:
        assert S.reads_things(graph)
        direct = S.world_view(world, scene, rendering, graph)
        ref = _through_vg(world, scene, rendering, graph)
        for f in FIELDS:
            assert getattr(direct, f) == getattr(ref, f), f
        # same types too (a numpy integer would write differently into a program)
        for a, b in zip(direct.objects, ref.objects, strict=True):
            assert [type(v) for v in (a.id, *a.bbox, *a.centroid)] == [
                type(v) for v in (b.id, *b.bbox, *b.centroid)
            ]
        assert direct.has_masks and ref.has_masks
        assert np.array_equal(direct.ids, ref.ids)
        assert np.array_equal(direct.depth, ref.depth)
        h, w = direct.ids.shape
        for x, y in ((0, 0), (w - 1, h - 1), (w // 2, h // 3), (w // 5, h - 2)):
            assert direct.depth_at(x, y) == ref.depth_at(x, y)
        assert direct.capabilities() == ref.capabilities()
        assert direct.refs == ref.refs
        facts = direct.world
        assert facts is not None
        parts += sum(1 for r in facts.role.values() if r == "part")
        raw = {o.id: o for o in graph.objects}
        boxes_grown += sum(1 for o in direct.objects if o.bbox != tuple(raw[o.id].bbox))
        colours_dropped += sum(
            1 for o in direct.objects if "color" not in o.attrs and raw[o.id].attributes
        )
    # the scenes exercise what the reading changes: parts, whole boxes, dropped colours
    assert parts > 0 and boxes_grown > 0 and colours_dropped > 0


def test_a_graph_without_categories_goes_through_its_vg_view(scenes) -> None:
    world, scene, rendering, graph = scenes[0]

    @dataclasses.dataclass
    class Plain:  # a world graph offering to_vg() only
        inner: object

        def to_vg(self):
            return self.inner.to_vg()  # type: ignore[attr-defined]

    plain = Plain(graph)
    assert not S.reads_things(plain)
    view = S.world_view(world, scene, rendering, plain)
    assert view.lexicon is None and view.world is None  # no categories: a VG reading
    assert view.objects == S.from_vg(graph.to_vg()).objects
    ids, vg = S.world_object_ids(plain)
    assert vg is not None and ids == [o.id for o in graph.objects]
    assert S.world_object_ids(graph) == ([o.id for o in graph.objects], None)


def _reference_lexicon(things, names, unnamed, words):
    """The lexicon's rules read word by word (see ``world_lexicon``): a word's state for a
    thing is YES, MAYBE or NO (``denotes``)."""
    if any(t is None for t in unnamed):
        return {}, set(), {}

    def states(word):
        return {i: S.denotes(word, t, words) for i, t in things.items()}

    def hidden(word):  # an unnamed thing is or may be called so
        return any(S.denotes(word, t, words) != S.NO for t in unnamed)

    general = {}
    for word in words.questions:
        st = states(word)
        if not hidden(word) and S.MAYBE not in st.values():
            general[word] = tuple(sorted(i for i, v in st.items() if v == S.YES))
    members = {}
    countable = set()
    for name in sorted(set(names.values())):
        if name in words.parts or hidden(name):
            continue
        st = states(name)
        if S.MAYBE in st.values():
            named = [i for i, n in names.items() if n == name]
            if (
                len(named) == 1
                and all(v == S.NO or i == named[0] for i, v in st.items())
                and things[named[0]].role == "backdrop"
            ):
                members[name] = (named[0],)
            continue
        members[name] = tuple(sorted(i for i, v in st.items() if v == S.YES))
        countable.add(name)
    return members, countable, general


def test_lexicon_matches_a_word_by_word_reading(scenes) -> None:
    seen_maybe = 0
    for world, scene, rendering, graph in scenes:
        view = S.world_view(world, scene, rendering, graph)
        pixels = S.id_pixel_counts(graph, rendering)
        unnamed = S.unnamed_things(scene, pixels, [o.id for o in graph.objects])
        things = {o.id: S.Thing.of(o.names, o.category, o.role, o.group) for o in graph.objects}
        words = S.world_words("sprites", things)
        names = {o.id: o.name for o in view.objects}
        members, countable, general = _reference_lexicon(things, names, unnamed, words)
        lex = view.lexicon
        assert lex is not None
        assert dict(lex.members) == members
        assert {n for n in lex.countable} == {n for n in countable if n in lex.countable}
        assert lex.countable <= countable  # plural-only names ("skis") are left out
        assert dict(lex.general) == general
        said = set()
        for t in [*things.values(), *(u for u in unnamed if u is not None)]:
            yes, maybe = S._word_sets(t, words)
            said |= yes | maybe
        assert lex.said == frozenset(said)
        seen_maybe += sum(
            1
            for n in set(names.values())
            if any(S.denotes(n, t, words) == S.MAYBE for t in things.values())
        )
    assert seen_maybe > 0  # the scenes have names some thing is in doubt for


def test_sprite_graphs_boxes_hold_their_ids_as_they_declare(scenes) -> None:
    """``boxes_hold_ids`` lets the view skip looking for each object's id in its box: it
    must be true of every graph the world builds."""
    for _, _, rendering, graph in scenes:
        assert graph.boxes_hold_ids
        boxes = [(o.id, *o.bbox) for o in graph.objects]
        assert S._ids_show(np.asarray(rendering.ids), boxes)


def test_a_graph_that_does_not_declare_it_is_still_checked(scenes) -> None:
    """Without the declaration, an object whose box misses its pixels leaves the view
    without masks (as before the declaration existed)."""
    world, scene, rendering, graph = scenes[0]
    ids = np.asarray(rendering.ids)
    k = next(i for i, o in enumerate(graph.objects) if o.id != ids[0, 0])
    moved = dataclasses.replace(
        graph.objects[k], bbox=(0, 0, 1, 1), attributes=list(graph.objects[k].attributes)
    )
    objects = [*graph.objects[:k], moved, *graph.objects[k + 1 :]]
    for declared, masks in ((False, False), (True, True)):
        g = dataclasses.replace(graph, objects=objects, boxes_hold_ids=declared)
        assert S.world_view(world, scene, rendering, g).has_masks is masks
