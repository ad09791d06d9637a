"""Issue #15's second round of QA speed shortcuts (stop 25) give what the plain code gives.

- ``base.permutation`` / ``base.sample``: a shuffled list equals numpy's permutation, from
  the same draws (the generator ends in the same state).
- ``points._points`` equals ``sample_point`` called ``n`` times; ``points._nearest_two``
  equals sorting every other object by box gap.
- ``suite._with_choices`` equals pydantic's ``model_copy(update=...)``.
- ``QASuite._run`` skips a repeated program only (a plain re-statement of the loop gives
  the same QA over sprite views, with kinds asked several times per image).
- ``sources._word_sets`` found by instance equals the computed sets; ``sources._frozen``
  equals the dataclass's own ``__init__``.
- ``Balancer._table`` is :meth:`Balancer.table`, and follows a replaced table cache.

No timing here: ``bench/qa.py`` measures the speed.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from synthgen.generators.qa import QAConfig, QASuite, base, programs
from synthgen.generators.qa import balance as B
from synthgen.generators.qa import points as P
from synthgen.generators.qa import sources as S
from synthgen.generators.qa.draws import draws
from synthgen.generators.qa.graph import Lexicon, QAGraph, WorldFacts
from synthgen.world.choice import default_config
from tests.helpers import sprite_scenes


@pytest.fixture(scope="module")
def sprite_views() -> list[QAGraph]:
    return [S.world_view(*scene) for scene in sprite_scenes(40, seed=25)]


def test_permutation_and_sample_equal_numpy() -> None:
    for seed in range(20):
        fast, plain = np.random.default_rng(seed), np.random.default_rng(seed)
        for n in [0, 1, 2, 3, 4, 5, 9, 17, 40, 45, 300]:
            assert base.permutation(fast, n) == plain.permutation(n).tolist()
            items = [f"x{i}" for i in range(n)]
            for k in (0, 1, 2, 3, n):
                assert base.sample(fast, items, k) == programs.sample(plain, items, k)
        assert fast.random() == plain.random()  # the same draws were used


def test_points_equal_sample_point_calls(sprite_views) -> None:
    seen = 0
    for g in sprite_views:
        for o in g.objects:
            for n in (3, 5):
                seed = int(o.id) * 31 + n + seen
                fast, plain = np.random.default_rng(seed), np.random.default_rng(seed)
                got = P._points(g, o, fast, n)
                assert got == P._plain_points(g, o, plain, n)
                assert fast.random() == plain.random()
                seen += len(got)
    assert seen > 1000


def _plain_gap(a, b) -> float:
    ax, ay, aw, ah = a.bbox
    bx, by, bw, bh = b.bbox
    dx = max(0, max(ax, bx) - min(ax + aw, bx + bw))
    dy = max(0, max(ay, by) - min(ay + ah, by + bh))
    return math.hypot(dx, dy)


def test_nearest_two_equals_sorting_by_gap(sprite_views) -> None:
    for g in sprite_views:
        objects = list(g.objects)
        # ties: a copy of a box later in the list sorts after the first
        objects += [dataclasses.replace(o, id=1000 + o.id) for o in objects[:3]]
        for home in objects:
            plain = sorted((o for o in objects if o is not home), key=lambda o: _plain_gap(home, o))
            assert P._nearest_two(home, objects) == plain[:2]
        assert P._nearest_two(objects[0], objects[:1]) == []
        assert P._nearest_two(objects[0], objects[:2]) == [objects[1]]


def test_with_choices_equals_model_copy(sprite_views) -> None:
    suite = QASuite(QAConfig(per_image=8), calibration_world=default_config("sprites"))
    rng = np.random.default_rng(4)
    n = 0
    for g in sprite_views[:20]:
        for qa in suite.ask(g, rng):
            choices = ["a", "b", qa.answer]
            fast = suite_module()._with_choices(qa, choices, 2)
            plain = qa.model_copy(update={"choices": choices, "answer_index": 2})
            assert fast == plain
            assert list(fast.__dict__) == list(plain.__dict__)
            assert fast.model_fields_set == plain.model_fields_set
            assert fast.model_dump_json() == plain.model_dump_json()
            assert fast.__pydantic_extra__ == plain.__pydantic_extra__
            assert fast.__pydantic_private__ == plain.__pydantic_private__
            assert qa.choices is None or qa.choices != choices  # the original is left alone
            n += 1
    assert n > 50


def suite_module():
    from synthgen.generators.qa import suite

    return suite


def _plain_run(suite: QASuite, eligible, ask, g, rng, balanced):
    """``QASuite._run`` as it was: every program compared with every QA kept."""
    out = []
    want = suite.config.per_image
    if not eligible or want == 0:
        return out
    order = rng.permutation(len(eligible)).tolist()
    attempts = 0
    while len(out) < want and attempts < 3 * want:
        kind = eligible[order[attempts % len(order)]]
        attempts += 1
        qa = ask(kind)
        if qa is None or any(q.program == qa.program for q in out):
            continue
        if (
            balanced
            and kind.balance
            and not kind.gated
            and not suite.balancer.accept(kind, qa, rng)
        ):
            continue
        if rng.random() < suite.config.multiple_choice_ratio:
            qa = suite.to_multiple_choice(qa, g, rng)
        out.append(qa)
    return out


@pytest.mark.parametrize("kinds", [("object_list", "count", "caption"), None])
def test_run_skips_repeated_programs_only(sprite_views, kinds) -> None:
    # three kinds and 8 questions: each kind is asked again and again, object_list always
    # with the same program
    config = QAConfig(kinds=kinds, per_image=8)
    suite = QASuite(config, calibration_world=default_config("sprites"))
    # the suite asks with a Draws (scalars read ahead): the plain loop gets an equal one
    fast_rng, plain_rng = draws(np.random.default_rng(9)), draws(np.random.default_rng(9))
    total = 0
    for g in sprite_views:
        fast = suite.ask(g, fast_rng)
        caps = g.capabilities()
        eligible = suite._by_caps[caps][0]
        plain = _plain_run(
            suite,
            eligible,
            lambda k, g=g: k.propose(g, plain_rng, suite.templates, suite.balancer.admit),
            g,
            plain_rng,
            True,
        )
        assert [q.model_dump_json() for q in fast] == [q.model_dump_json() for q in plain]
        programs_kept = [q.model_dump_json(include={"program"}) for q in fast]
        assert len(set(programs_kept)) == len(programs_kept)
        total += len(fast)
    assert fast_rng.random() == plain_rng.random()
    assert total > 2 * len(sprite_views)


def test_word_sets_by_instance_equal_the_computed_sets(sprite_views) -> None:
    words = S.world_words("sprites")
    things = [S._thing(("dog",), "dog", "thing", "animal"), S.Thing.of(["Sky"], "sky", "backdrop")]
    for g in sprite_views[:5]:
        assert g.world is not None
        for i, category in g.world.category.items():
            things.append(S._thing((g.by_id[i].name,), category, g.world.role[i], g.world.group[i]))
    for t in things:
        first = S._word_sets(t, words)
        again = S._word_sets(t, words)  # found by instance now
        S._SETS.clear()
        S._SETS_BY_ID.clear()
        assert S._word_sets(t, words) == first == again
        # an equal thing of its own (another instance) gets the same sets
        twin = S.Thing(t.names, t.category, t.role, t.group)
        assert twin is not t and S._word_sets(twin, words) == first
    # other word tables: not the sets remembered for the world's
    other = dataclasses.replace(words, general={})
    dog = things[0]
    assert S._word_sets(dog, other) != S._word_sets(dog, words)


def test_frozen_equals_init(sprite_views) -> None:
    for g in sprite_views[:10]:
        for value in (g.lexicon, g.world):
            assert value is not None
            fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
            plain = type(value)(**fields)
            assert plain == value
            assert list(plain.__dict__) == list(value.__dict__)
            assert hash(plain.countable if isinstance(plain, Lexicon) else plain.closed) == hash(
                value.countable if isinstance(value, Lexicon) else value.closed
            )
            with pytest.raises(dataclasses.FrozenInstanceError):
                value.scene_type = "x"  # type: ignore[union-attr]
    assert isinstance(sprite_views[0].world, WorldFacts)


def test_balancer_table_shortcut(monkeypatch) -> None:
    suite = QASuite(QAConfig(per_image=8))
    kind = next(k for k in suite.kinds if k.balance and k.gated)
    bal = suite.balancer
    table = bal.table(kind)
    assert bal._table(kind) is table
    assert bal._table(kind) is table  # remembered
    replacement = {(type(kind).name, type(kind).version, bal._world_key): {"": {"x": 0.5}}}
    monkeypatch.setattr(B, "_CACHE", replacement)
    assert bal._table(kind) == {"": {"x": 0.5}}  # a replaced cache is read again


def test_compositional_memo_changes_no_draw(sprite_views) -> None:
    """``compositional._memo`` (patterns, predicates toward an anchor, names able to stand
    in a relation, once per graph) gives the draws that working them out every time gives."""
    from synthgen.generators.qa import compositional as C

    kinds = [C.CompositionalCount(), C.CompositionalExists()]
    drawn = 0
    for g in sprite_views:
        for seed in range(12):
            kind = kinds[seed % 2]
            fresh, kept = np.random.default_rng(seed), np.random.default_rng(seed)
            g.__dict__.pop("_compositional", None)
            plain = kind._draw(g, fresh)
            g.__dict__.pop("_compositional", None)
            for _ in range(3):  # the memo filled by earlier draws of other anchors
                kind._draw(g, np.random.default_rng(seed + 100))
            assert kind._draw(g, kept) == plain
            assert fresh.random() == kept.random()
            drawn += plain is not None
    assert drawn > 20


def test_may_rank_prunes_only_ranks_no_draw_realises(sprite_views) -> None:
    # _may_rank judges from boxes before any point is drawn; whenever it says no, _choose
    # finds nothing with many points drawn from both neighbours (most of each box)
    pruned = kept = 0
    rng = np.random.default_rng(5)
    for g in sprite_views:
        for home in g.objects:
            own = P._points(g, home, rng, 5)
            near = P._nearest_two(home, [o for o in g.objects if o is not home])
            if len(own) < 3 or len(near) < 2:
                continue
            anchor, rest = own[0], own[1:]
            pools = [P._points(g, o, rng, 40) for o in near]
            pool = [(o.id, p) for o, pts in zip(near, pools, strict=True) for p in pts]
            if any(not pts for pts in pools):
                continue
            mine = [(home.id, p) for p in rest]
            for same in (True, False):
                for target in (0, 1, 2):
                    if P._may_rank(anchor, rest, near, target, same):
                        kept += 1
                        continue
                    pruned += 1
                    answers, others = (mine, pool) if same else (pool, mine)
                    assert P._choose(anchor, answers, others, target, rng) is None
    assert pruned >= 50 and kept >= 50, (pruned, kept)
