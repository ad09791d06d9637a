"""Issue #15's third round of QA speed shortcuts (stop 25, "speed-b") give what the plain
code gives.

- ``programs.sample`` / ``programs.shuffled`` (a list shuffled by ``rng.shuffle``) equal
  the order of ``rng.permutation``, from the same draws (the generator ends in the same
  state).
- ``dumps._counted`` kept once per view equals the names counted afresh, and each call
  gives a fresh dict (it goes into a program); object_list and caption asked of the same
  view give what they give asked of separate copies. ``dumps._open_item`` (kept per name,
  count and exactness) equals the text worked out afresh.
- ``QAGraph.members`` kept per name equals the lexicon's members looked up, a new list
  each call; ``QAGraph.refs``'s shortcut for an object alone under its name equals
  ``_lexicon_ref``.
- ``points.sample_point`` / ``points._points`` reading the id map through a memoryview
  (``points._pixels``) give the points and draws of ``ids.item`` reads, and so do maps
  memoryview cannot read (big-endian: the array itself is read).
- ``sources.from_world_things``'s objects (built without ``QObject.__init__``) equal the
  dataclass's own, field for field and in field order.

No timing here: ``bench/qa.py`` measures the speed.
"""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest

from synthgen.generators.qa import QAConfig, QASuite, dumps, programs
from synthgen.generators.qa import points as P
from synthgen.generators.qa import sources as S
from synthgen.generators.qa.graph import QAGraph, QObject
from tests.helpers import sprite_scenes


@pytest.fixture(scope="module")
def sprite_views() -> list[QAGraph]:
    return [S.world_view(*scene) for scene in sprite_scenes(40, seed=26)]


def _plain_sample(rng: np.random.Generator, items: list, k: int) -> list:
    return [items[i] for i in rng.permutation(len(items))[:k].tolist()]


def _plain_shuffled(rng: np.random.Generator, items: list) -> list:
    return [items[int(i)] for i in rng.permutation(len(items))]


def test_sample_and_shuffled_equal_numpy_permutation() -> None:
    for seed in range(20):
        for n in [*range(0, 40), 57, 100, 301]:
            items = [f"x{i}" for i in range(n)]
            for k in {0, 1, 2, 3, n // 2, n}:
                a, b = np.random.default_rng(seed), np.random.default_rng(seed)
                assert programs.sample(a, items, k) == _plain_sample(b, items, k)
                assert a.random() == b.random()  # the same draws were taken
            a, b = np.random.default_rng(seed), np.random.default_rng(seed)
            assert programs.shuffled(a, items) == _plain_shuffled(b, items)
            assert a.random() == b.random()


def _plain_counted(g: QAGraph) -> dict[str, int]:
    return {n: g.name_counts[n] for n in sorted(g.name_counts) if g.exact(n)}


def test_counted_memo_equals_fresh(sprite_views) -> None:
    seen = 0
    for view in sprite_views:
        g = copy.copy(view)
        g.__dict__ = {k: v for k, v in view.__dict__.items() if not k.startswith("_dumps")}
        first = dumps._counted(g)
        assert first == _plain_counted(view)
        first["changed"] = 99  # a caller's change stays its own
        assert dumps._counted(g) == _plain_counted(view)
        assert "_dumps_counted" in g.__dict__
        seen += bool(first)
    assert seen > 10


@pytest.mark.parametrize("order", [("object_list", "caption"), ("caption", "object_list")])
def test_dump_kinds_on_one_view_equal_separate_views(sprite_views, order) -> None:
    """Both kinds asked of one view (the memo shared) equal each asked of its own fresh
    view, draw for draw."""
    templates = QASuite(QAConfig()).templates
    kinds = {name: QASuite(QAConfig(kinds=(name,))).kinds[0] for name in order}
    for i, scene in enumerate(sprite_scenes(25, seed=27)):
        shared = S.world_view(*scene)
        a, b = np.random.default_rng(i), np.random.default_rng(i)
        for name in order:
            got = kinds[name].ask(shared, a, templates)
            want = kinds[name].ask(S.world_view(*scene), b, templates)
            assert (got is None) == (want is None)
            if got is not None:
                assert got.model_dump() == want.model_dump()
        assert a.random() == b.random()


def test_open_item_memo_equals_fresh(sprite_views) -> None:
    seen = 0
    for g in sprite_views:
        for name in sorted(g.name_counts):
            for number in (False, True):
                want = dumps._item_text(name, g.name_counts[name], g.exact(name), number)
                dumps._OPEN_ITEMS.clear()
                assert dumps._open_item(g, name, number) == want  # worked out
                assert dumps._open_item(g, name, number) == want  # kept
                seen += 1
    assert seen > 100


def test_members_and_refs_shortcuts_equal_plain(sprite_views) -> None:
    alone = 0
    for view in sprite_views:
        g = copy.copy(view)
        g.__dict__ = {k: v for k, v in view.__dict__.items() if k not in ("refs", "_members")}
        assert g.lexicon is not None
        for name in sorted({*g.name_counts, *g.lexicon.members, "nothing"}):
            plain = [g.by_id[i] for i in g.lexicon.members.get(name, ())]
            first = g.members(name)
            assert first == plain and all(a is b for a, b in zip(first, plain, strict=True))
            first.append(None)  # a caller's change stays its own
            assert g.members(name) == plain
        refs = g.refs
        assert list(refs) == [o.id for o in g.objects]
        for o in g.objects:
            assert refs[o.id] == g._lexicon_ref(o, None)
            alone += refs[o.id] == (o.name, {})
    assert alone > 50


def test_world_things_objects_equal_dataclass_init(sprite_views) -> None:
    for g in sprite_views:
        for o in g.objects:
            plain = QObject(**{f.name: getattr(o, f.name) for f in dataclasses.fields(QObject)})
            assert o == plain
            assert list(o.__dict__.items()) == list(plain.__dict__.items())


def _item_sample_point(g, o, rng, rows=None):
    """``sample_point`` as it was, reading pixels with ``ids.item`` (the reference)."""
    ids = g.ids
    m = P.MARGIN
    x0, y0, w, h = o.bbox
    lo, hi = y0 + m, y0 + h - 1 - m
    if rows is not None:
        lo, hi = max(lo, rows[0]), min(hi, rows[1])
    if w <= 2 * m or hi < lo:
        return None
    k, at = o.id, ids.item
    left, across, span = x0 + m, w - 2 * m, hi - lo + 1
    disk = [(a, b) for a in range(-m, m + 1) for b in range(-m, m + 1) if a * a + b * b <= m * m]
    for _ in range(P.TRIES):
        x = left + int(rng.random() * across)
        y = lo + int(rng.random() * span)
        if all(at(y + b, x + a) == k for a, b in disk):
            return x, y
    return None


@pytest.mark.parametrize("layout", ["native", "big-endian", "fortran"])
def test_pixel_reads_equal_item_reads(sprite_views, layout) -> None:
    hits = 0
    for j, view in enumerate(sprite_views[:20]):
        g = copy.copy(view)
        g.__dict__ = {k: v for k, v in view.__dict__.items() if k != "_pixels"}
        if layout == "big-endian":
            g.ids = view.ids.astype(view.ids.dtype.newbyteorder(">"))
        elif layout == "fortran":
            g.ids = np.asfortranarray(view.ids)
        reads, _ = P._pixels(g)
        assert isinstance(reads, memoryview) == (layout != "big-endian")
        for o in g.objects:
            for rows in (None, (o.bbox[1] + 2, o.bbox[1] + 6)):
                a, b = np.random.default_rng(j), np.random.default_rng(j)
                got = P.sample_point(g, o, a, rows)
                assert got == _item_sample_point(g, o, b, rows)
                assert a.random() == b.random()
                hits += got is not None
            a, b = np.random.default_rng(j), np.random.default_rng(j)
            want = set()
            for _ in range(4):  # up to the first miss
                p = _item_sample_point(g, o, b)
                if p is None:
                    break
                want.add(p)
            want = sorted(want)
            assert P._points(g, o, a, 4) == want
            assert a.random() == b.random()
    assert hits > 100
