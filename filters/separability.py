"""``separability``: sound events a caption names separately must be separable by ear.

Two events are separable when they do not overlap in time, or when, where they do, each one
dominates its own time-frequency cells: the share of an event's energy that lies in cells
where it is louder than the other (an ideal binary mask, measured on the two rendered stems
over the frames they share; :meth:`synthgen.world.sound.analysis.SceneMeasurements.retention`)
must be at least ``min_retention``. A bell over a siren at other pitches keeps nearly all its
energy; a knock buried in a louder drum of the same band does not. The score is the smallest
retention over all pairs (1.0 when nothing overlaps); a failure names the pair.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from synthgen.filter import Filter, register_filter
from synthgen.records import Verdict

if TYPE_CHECKING:
    from synthgen.world.sound.render import RenderedScene

SCORE_TYPE = "ibm_energy_retention"


@register_filter
class Separability(Filter):
    name = "separability"
    kind = "oracle"

    def __init__(self, min_retention: float = 0.6) -> None:
        if not 0.0 <= min_retention <= 1.0:
            raise ValueError(f"min_retention must lie in [0, 1], got {min_retention}")
        self.min_retention = float(min_retention)

    def check(self, candidate: RenderedScene) -> Verdict:
        """``candidate``: a rendered scene; every pair of its events is checked."""
        measured = candidate.measurements
        labels = [ev.label for ev in candidate.spec.events]
        worst = (1.0, -1, -1)
        for i in range(len(labels)):
            for j in range(i + 1, len(labels)):
                keep_i, keep_j = measured.retention(i, j)
                worst = min(worst, (keep_i, i, j), (keep_j, j, i))
        score, lost, other = worst
        passed = score >= self.min_retention
        return self.verdict(
            passed,
            score=round(score, 4),
            threshold=self.min_retention,
            score_type=SCORE_TYPE,
            detail=None
            if passed
            else f"event {lost} ({labels[lost]}) keeps {score:.2f} of its energy under "
            f"event {other} ({labels[other]}): they overlap in time and frequency",
        )
