"""Issue #15's QA speed shortcuts give what the plain code gives.

- ``QuestionKind.make`` builds each QA without pydantic's validation (``base.VALIDATE_QA``
  off): the QA of many sprite and shapes graphs, the suite's whole output with the same
  seeds, equals the validated QA's (values, types, fields set, JSON).
- ``QASuite.ask`` works out the eligible kinds once per capability set: it counts the same
  skips as :meth:`QASuite._eligible` per image.
- ``QAGraph.exact`` (cached per name) and ``QAGraph.refs`` (a lone member of its name is
  referred to by the name) equal the plain formulas.
- ``sources._ids_show`` (a byte search of the top row) equals the numpy reading.

No timing here: ``bench/qa.py`` measures the speed.
"""

from __future__ import annotations

import json
from collections import Counter
from itertools import combinations

import numpy as np
import pytest

from synthgen.generators.qa import QAConfig, QASuite, base
from synthgen.generators.qa import sources as S
from synthgen.generators.qa.graph import DESCRIBE_ORDER, QAGraph
from synthgen.world import WorldConfig, make_scene
from synthgen.world.choice import default_config
from tests.helpers import sprite_scenes

N_SPRITES = 60
N_SHAPES = 40


@pytest.fixture(scope="module")
def sprite_views() -> list[QAGraph]:
    return [S.world_view(*scene) for scene in sprite_scenes(N_SPRITES, seed=15)]


@pytest.fixture(scope="module")
def shape_views() -> list[QAGraph]:
    rng = np.random.default_rng(15)
    cfg = WorldConfig(min_objects=6, max_objects=10)
    made = [make_scene(rng, cfg) for _ in range(N_SHAPES)]
    return [S.from_scene_graph(g, r.ids, lambda r=r: r.depth) for _, r, g in made]


def _ask_all(views: list[QAGraph], suite: QASuite, validate: bool) -> list[list]:
    old = base.VALIDATE_QA
    base.VALIDATE_QA = validate
    try:
        rng = np.random.default_rng(7)
        return [suite.ask(v, rng) for v in views]
    finally:
        base.VALIDATE_QA = old


def _same_qa(fast: list[list], slow: list[list]) -> int:
    n = 0
    for a_list, b_list in zip(fast, slow, strict=True):
        assert len(a_list) == len(b_list)
        for a, b in zip(a_list, b_list, strict=True):
            assert a == b
            assert a.__dict__ == b.__dict__
            assert list(a.__dict__) == list(b.__dict__)
            assert [type(v) for v in a.__dict__.values()] == [type(v) for v in b.__dict__.values()]
            assert a.model_fields_set == b.model_fields_set
            assert a.model_dump_json() == b.model_dump_json()
            assert a.model_dump() == b.model_dump()
            n += 1
    return n


@pytest.mark.parametrize("per_image", [8, 45])
def test_trusted_qa_equals_validated_qa_sprites(sprite_views, per_image) -> None:
    settings = default_config("sprites")
    suite = QASuite(QAConfig(per_image=per_image), calibration_world=settings)
    fast = _ask_all(sprite_views, suite, validate=False)
    slow = _ask_all(sprite_views, suite, validate=True)
    assert _same_qa(fast, slow) > 5 * len(sprite_views)
    # built without validation: no pydantic check ran, yet the model validates as is
    for qa in fast[0]:
        assert type(qa).model_validate(qa.model_dump()) == qa


def test_trusted_qa_equals_validated_qa_shapes(shape_views) -> None:
    suite = QASuite(QAConfig(per_image=45))
    fast = _ask_all(shape_views, suite, validate=False)
    slow = _ask_all(shape_views, suite, validate=True)
    assert _same_qa(fast, slow) > 10 * len(shape_views)
    kinds = {qa.kind for qas in fast for qa in qas}
    assert len(kinds) > 20


def test_cached_eligibility_counts_the_same_skips(sprite_views, shape_views) -> None:
    suite = QASuite(QAConfig(per_image=3))
    counters: Counter[str] = Counter()
    expected: Counter[str] = Counter()
    rng = np.random.default_rng(3)
    for v in [*shape_views[:10], *sprite_views[:10], *shape_views[10:15]]:
        before = len(suite._by_caps)
        suite.ask(v, rng, counters)
        eligible = QASuite._eligible(suite.kinds, v.capabilities(), expected)
        assert suite._by_caps[v.capabilities()][0] == eligible
        assert len(suite._by_caps) <= before + 1
    assert counters == expected
    assert sum(expected.values()) > 0
    assert len(suite._by_caps) >= 2  # both worlds' capability sets


def test_exact_and_refs_equal_the_plain_formulas(sprite_views) -> None:
    lone = 0
    for g in sprite_views:
        lexicon = g.lexicon
        assert lexicon is not None
        for name in sorted({*g.ids_by_name, *lexicon.members, "animal", "nothing"}):
            plain = g.countable(name) and set(lexicon.members.get(name, ())) == set(
                g.ids_by_name.get(name, ())
            )
            assert g.exact(name) == plain
            assert g.exact(name) == plain  # the cached answer too
        for o in g.objects:
            assert g.refs[o.id] == _plain_lexicon_ref(g, o, None)
            for avoid in DESCRIBE_ORDER:
                assert g.ref_for(o, avoid) == _plain_lexicon_ref(g, o, avoid)
            lone += lexicon.members.get(o.name) == (o.id,)
    assert lone > len(sprite_views)


def _plain_lexicon_ref(g: QAGraph, o, avoid):
    """``QAGraph._lexicon_ref`` without its shortcut for a lone member."""
    assert g.lexicon is not None
    members = g.lexicon.members.get(o.name)
    if members is None or o.id not in members:
        return None
    rivals = [g.by_id[i] for i in members if i != o.id]
    for size in range(4):
        for keys in combinations(DESCRIBE_ORDER, size):
            if avoid in keys or any(k not in o.attrs for k in keys):
                continue
            if all(any(x.attrs.get(k, o.attrs[k]) != o.attrs[k] for k in keys) for x in rivals):
                attrs = {k: o.attrs[k] for k in keys}
                return (" ".join([*attrs.values(), o.name]), attrs)
    return None


def _plain_ids_show(ids: np.ndarray, boxes) -> bool:
    return all(
        oid > 0 and bool((ids[y : y + h, x : x + w] == oid).any()) for oid, x, y, w, h in boxes
    )


@pytest.mark.parametrize("dtype", ["uint16", "uint8", "int32", ">u2", "<i8", "float32"])
def test_ids_show_equals_the_numpy_reading(dtype) -> None:
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 6, size=(40, 50)).astype(dtype)
    ids[10:20, 10:20] = 9  # shows inside its box but not on the box's top row
    ids[10, 10:20] = 0
    cases = [
        [(9, 10, 10, 10, 10)],
        [(9, 10, 11, 10, 9)],
        [(9, 25, 25, 5, 5)],  # not in its box
        [(0, 0, 0, 5, 5)],
        [(3, 0, 0, 50, 40), (9, 0, 0, 50, 40)],
        [(7, 0, 0, 50, 40)],
        [(9, 10, 39, 10, 5)],  # box runs off the map
        [(300, 0, 0, 50, 40)],  # more than a byte holds
    ]
    if ids.dtype.itemsize > 1:
        # 257 = 0x0101, in no pixel, but in the bytes of 256 and 1 side by side (either
        # byte order): a match across two pixels is no pixel
        ids[30, 0:4] = [256, 1, 256, 1]
        cases += [[(257, 0, 30, 4, 1)], [(256, 0, 30, 4, 1)], [(1, 1, 30, 3, 1)]]
    for _ in range(200):
        oid = int(rng.integers(1, 10))
        x, y = int(rng.integers(0, 50)), int(rng.integers(0, 40))
        cases.append([(oid, x, y, int(rng.integers(0, 12)), int(rng.integers(0, 12)))])
    shows = 0
    for boxes in cases:
        want = _plain_ids_show(ids, boxes)
        assert S._ids_show(ids, boxes) == want, boxes
        shows += want
    assert 0 < shows < len(cases)


def test_original_question_left_out_when_none(sprite_views) -> None:
    """``QA.original_question`` is left out of the JSON and the dump when None (pydantic's
    ``exclude_if``, or ``OmitNone`` before 2.12), and written when set (a paraphrase)."""
    settings = default_config("sprites")
    suite, rng = (
        QASuite(QAConfig(per_image=1), calibration_world=settings),
        np.random.default_rng(0),
    )
    qa = next(q for view in sprite_views for q in suite.ask(view, rng))
    assert qa.original_question is None
    assert "original_question" not in json.loads(qa.model_dump_json())
    assert "original_question" not in qa.model_dump()
    said = qa.model_copy(update={"question": "Which?", "original_question": qa.question})
    assert json.loads(said.model_dump_json())["original_question"] == qa.question
    assert said.model_dump()["original_question"] == qa.question
    assert type(qa).model_validate_json(said.model_dump_json()) == said
    assert type(qa).model_validate_json(qa.model_dump_json()) == qa
