"""part_at_point's point row tells nothing about the part beyond the whole's name.

The point's coordinates are in the question ("Which part of the house is at the point
(102, 140)?"), and a point high in the image is more often a roof or hair, a low one a
desk's leg. With the answers flattened per whole only, a question-only model beat the
per-type majority by +5.5..+6.5 points (7,800 QA, three splits); the kind's row-band cues
(``PartAtPoint.balance_cues``, raked by ``balance._rake``) make each band's parts those of
the whole. Checked here on fresh sprite images (not the calibration sample): one proposal
per image, weighted by its acceptance probability (the balancer's table, as ``accept``
applies it), the parts' shares per whole and coarse row band (a quarter of the image) against
the whole's shares in all bands.
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

IMAGES = 9000
"""Fresh images, one proposal each (about 1,700 proposals of part_at_point; 40 CPU-s)."""
BANDS = 4
SD = 4.0
"""Deviations allowed, in standard errors of the band's (weighted) share: up to 72 (part,
whole, band) cells are compared, and 4 sd two-sided is p = 6e-5 each."""
SLACK = B.RAKE_TOLERANCE
"""Plus the raking's own tolerance: a band's parts may be that far (total variation) from
the whole's in the calibration sample and still be asked."""
MIN_EFFECTIVE = 30
"""Bands with fewer (effective) proposals are not judged."""


def test_part_at_point_parts_do_not_follow_the_point_row() -> None:
    settings = default_config("sprites")
    kind = question_kinds.get("part_at_point")()
    balancer = B.Balancer(world=settings)
    templates = default_templates()
    rng = np.random.default_rng(2026_12_02)
    height = settings.height  # type: ignore[attr-defined]
    # whole -> band -> part -> weights
    cells: dict[str, dict[int, dict[str, list[float]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    for view in drawn_sprite_views(rng, settings, IMAGES):
        qa = kind.ask(view, rng, templates)
        if qa is None:
            continue
        w = keep_probability(balancer, kind, qa)
        band = int(qa.program["point"][1]) * BANDS // height
        cells[qa.program["whole"]["name"]][band][str(qa.answer)].append(w)
    judged, off = 0, []
    for whole, bands in sorted(cells.items()):
        total: dict[str, float] = defaultdict(float)
        for parts in bands.values():
            for part, ws in parts.items():
                total[part] += sum(ws)
        mass = sum(total.values())
        if mass == 0:
            continue
        for band, parts in sorted(bands.items()):
            ws_all = [w for ws in parts.values() for w in ws]
            s1, s2 = sum(ws_all), sum(w * w for w in ws_all)
            n_eff = s1 * s1 / s2 if s2 else 0.0
            if n_eff < MIN_EFFECTIVE:
                continue
            judged += 1
            for part, t in total.items():
                share = sum(parts.get(part, ())) / s1
                want = t / mass
                bound = SLACK + SD * math.sqrt(max(want * (1 - want), 0.01) / n_eff)
                if abs(share - want) > bound:
                    off.append(
                        f"{whole} rows {band}/{BANDS}: {part} {share:.2f} vs {want:.2f} "
                        f"(n_eff {n_eff:.0f}, bound {bound:.2f})"
                    )
    assert judged >= 3, cells.keys()  # desk and house bands at least
    assert not off, off
