"""``Draws``: the kinds' random stream reads scalar doubles ahead in blocks. Its scalars
must be the generator's own doubles in order, its other draws the generator's, and the
suite's questions reproducible from a seed."""

from __future__ import annotations

import numpy as np

from synthgen.generators.qa import QAConfig, QASuite
from synthgen.generators.qa.draws import BLOCK, Draws, draws
from synthgen.generators.qa.sources import world_view
from tests.helpers import sprite_scenes


def test_scalars_are_the_generators_doubles_in_order() -> None:
    d = draws(np.random.default_rng(11))
    got = [d.random() for _ in range(3 * BLOCK + 5)]
    want = np.random.default_rng(11).random(3 * BLOCK + 5).tolist()
    assert got == want
    assert all(type(x) is float for x in got)


def test_other_draws_are_the_generators_after_the_block() -> None:
    g = np.random.default_rng(5)
    d = draws(g)
    first = d.random()
    sized = d.random(3)  # the generator's, after the block read ahead
    ref = np.random.default_rng(5)
    block = ref.random(BLOCK).tolist()
    assert first == block[0]
    assert np.array_equal(sized, ref.random(3))
    assert d.random() == block[1]  # the block goes on where it was
    single = d.random(dtype=np.float32)  # not a float64 scalar: the generator's own
    assert single == ref.random(dtype=np.float32)
    assert single != block[2]
    items = list(range(10))
    d.shuffle(items)
    assert sorted(items) == list(range(10))
    # the caller's generator moved on by the block, the sized draws and the shuffle
    assert g.bit_generator.state == d.bit_generator.state


def test_draws_wraps_once() -> None:
    d = draws(np.random.default_rng(0))
    assert isinstance(d, Draws) and isinstance(d, np.random.Generator)
    assert draws(d) is d


def test_suite_questions_repeat_from_a_seed() -> None:
    views = [world_view(*scene) for scene in sprite_scenes(12)]
    suite = QASuite(QAConfig(per_image=8, balance=False))

    def run(seed: int) -> list[tuple[str, str]]:
        rng = np.random.default_rng(seed)
        return [(q.question, q.answer) for v in views for q in suite.ask(v, rng)]

    first = run(3)
    assert first == run(3)
    assert first != run(4)
    assert len(first) > 40
