"""A kind's ``excludes`` (graph capabilities under which it never asks) is true of the kind,
and the suite spends no try on such a kind for such a graph, while graphs without the
capability still get it."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from synthgen.generators.qa import QAConfig, QASuite, question_kinds
from synthgen.generators.qa.sources import world_view
from synthgen.generators.qa.templates import default_templates
from synthgen.world.choice import default_config
from tests.helpers import sprite_scenes
from tests.qa.conftest import make_samples

EXCLUDING = [n for n in question_kinds.names() if question_kinds.get(n).excludes]


@pytest.fixture(scope="module")
def sprite_views() -> list:
    return [world_view(*scene) for scene in sprite_scenes(30, seed=41)]


def test_some_kinds_exclude_open_worlds() -> None:
    assert {"relation_named", "topmost", "most_frequent"} <= set(EXCLUDING)


@pytest.mark.parametrize("name", EXCLUDING)
def test_an_excluding_kind_never_asks_such_a_graph(name: str, sprite_views) -> None:
    kind = question_kinds.get(name)()
    templates = default_templates()
    rng = np.random.default_rng(3)
    tried = 0
    for g in sprite_views:
        if kind.excludes & g.capabilities() and not kind.requires - g.capabilities():
            for _ in range(5):
                assert kind.ask(g, rng, templates) is None
            tried += 1
    assert tried >= 10


def _proposed(suite: QASuite, views: list, seed: int) -> Counter[str]:
    """How often each kind was tried by ``suite.ask`` over ``views``."""
    tried: Counter[str] = Counter()
    for kind in suite.kinds:
        plain = kind.propose

        def spy(g, rng, t, gate=None, plain=plain, name=kind.name):  # type: ignore[no-untyped-def]
            tried[name] += 1
            return plain(g, rng, t, gate)

        kind.propose = spy  # type: ignore[method-assign]
    rng = np.random.default_rng(seed)
    for view in views:
        suite.ask(view, rng)
    return tried


def test_the_suite_tries_no_excluded_kind(sprite_views) -> None:
    settings = default_config("sprites")
    suite = QASuite(QAConfig(per_image=8, balance=False), calibration_world=settings)
    tried = _proposed(suite, sprite_views, 0)
    assert sum(tried.values()) > 300
    assert not set(tried) & set(EXCLUDING)


def test_excluded_kinds_are_counted_as_skipped(sprite_views) -> None:
    """As kinds a graph lacks a capability for are (``needs_...``), so a job's counters say
    why topmost never shows on sprite images."""
    suite = QASuite(QAConfig(per_image=8), calibration_world=default_config("sprites"))
    counters: Counter[str] = Counter()
    for view in sprite_views[:3]:
        suite.ask(view, np.random.default_rng(0), counters)
    assert counters["qa.skipped.topmost.not_for_world"] == 3
    assert counters["qa.skipped.relation_named.not_for_world"] == 3


def test_graphs_without_the_capability_still_get_the_kind() -> None:
    views = [s.view for s in make_samples(40, seed=5)]  # the shapes world: no "world"
    suite = QASuite(QAConfig(per_image=30, balance=False))
    tried = _proposed(suite, views, 0)
    assert {"relation_named", "topmost", "bottommost", "most_frequent"} <= set(tried)
