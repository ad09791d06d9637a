"""compositional_count's counted name does not tell the count beyond the question's type.

"How many chairs are left of the lamp?" was "2" more often than "1" and "How many trains are
on the grass?" "0": chairs come in sets, trains stand on their track. Flattened per filter
pattern only, "1" was the answer of ~73 % of the questions, and a question-only model
memorising the majority answer per counted name beat the per-type majority by +2.3 points
(2,351 QA; the blind baseline +1.8..+4.8 over three streams). Checked here on fresh sprite
images (not the calibration sample): each image's distinct proposals weighted by the
probability the balancer keeps them (its table, as ``Balancer.accept`` reads it), per counted
name with enough of them, "1" -- the type's majority -- must lead each other answer.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from synthgen.generators.qa import balance as B
from synthgen.generators.qa.base import question_kinds
from synthgen.generators.qa.templates import default_templates
from synthgen.world.choice import default_config
from tests.helpers import drawn_sprite_views
from tests.qa.conftest import keep_probability

IMAGES = 5000
"""Fresh images (~30 CPU-s, +25 for the calibration in a fresh cache)."""
ASKS = 30
"""Proposals per image; each distinct question counts once (about 10,000 in all)."""
SD = 4.0
"""Standard errors a name's other answer may lead "1" by (about 200 (name, answer) pairs
are compared; 4 sd one-sided is p = 3e-5 each; questions of one image are not independent)."""
MIN_EFFECTIVE = 25
"""Names with fewer (effective) proposals are not judged."""


def test_the_counted_name_does_not_tell_the_count() -> None:
    settings = default_config("sprites")
    kind = question_kinds.get("compositional_count")()
    balancer = B.Balancer(world=settings)
    templates = default_templates()
    rng = np.random.default_rng(2026_12_03)
    # counted name -> answer -> weights
    cells: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for view in drawn_sprite_views(rng, settings, IMAGES):
        asked: list[dict] = []
        for _ in range(ASKS):
            qa = kind.ask(view, rng, templates)
            if qa is not None and qa.program not in asked:
                asked.append(qa.program)
                name = str(qa.program["select"]["name"])
                cells[name][str(qa.answer)].append(keep_probability(balancer, kind, qa))
    judged, off = 0, []
    for name, answers in sorted(cells.items()):
        ws = [w for got in answers.values() for w in got]
        s1, s2 = sum(ws), sum(w * w for w in ws)
        n_eff = s1 * s1 / s2 if s2 else 0.0
        if n_eff < MIN_EFFECTIVE:
            continue
        judged += 1
        one = sum(answers.get("1", ())) / s1
        for answer, got in sorted(answers.items()):
            share = sum(got) / s1
            if answer == "1":
                continue
            # the standard error of the difference of two shares of one multinomial
            se = math.sqrt(max(one + share - (one - share) ** 2, 0.01) / n_eff)
            if share - one > SD * se:
                off.append(
                    f"{name}: {answer} {share:.2f} vs 1 {one:.2f} (n_eff {n_eff:.0f}, "
                    f"bound {SD * se:.2f})"
                )
    assert judged >= 20, sorted(cells)  # people, wires, chairs, pillows, fences, beds, ...
    assert not off, off
