"""``audibility``: every captioned sound event must stand out from the rest of the mix.

A caption that names a sound nobody can hear is wrong data ("five knocks" under a louder
engine). The check is measured on the rendered signal (:mod:`synthgen.world.sound.analysis`):
for each event, its energy inside its own frequency band (the range holding 90 % of its
energy) over its active frames, against the energy of everything else in the clip -- the
background noise *and every other event* -- in the same band and frames, in the channel where
that ratio is best. Overall energy would not do: a loud beep at 2 kHz does not mask a hum at
60 Hz, a hum at 150 Hz does mask a knock at 150 Hz. The scene passes when every event's
ratio is at least ``snr_db``. The score is the smallest ratio; a failure names that event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from synthgen.filter import Filter, register_filter
from synthgen.records import Verdict

if TYPE_CHECKING:
    from synthgen.world.sound.render import RenderedScene

SCORE_TYPE = "band_snr_db"


@register_filter
class Audibility(Filter):
    name = "audibility"
    kind = "oracle"

    def __init__(self, snr_db: float = 6.0) -> None:
        self.snr_db = float(snr_db)

    def check(self, candidate: RenderedScene) -> Verdict:
        """``candidate``: a rendered scene; every one of its events is checked."""
        measured = candidate.measurements.events
        if not measured:
            return self.verdict(
                False,
                threshold=self.snr_db,
                score_type=SCORE_TYPE,
                detail="scene has no sound events",
            )
        worst = min(range(len(measured)), key=lambda i: (measured[i].snr_db, i))
        m = measured[worst]
        passed = m.snr_db >= self.snr_db
        label = candidate.spec.events[worst].label
        lo, hi = m.band_hz
        return self.verdict(
            passed,
            score=round(m.snr_db, 2),
            threshold=self.snr_db,
            score_type=SCORE_TYPE,
            detail=None
            if passed
            else f"event {worst} ({label}) is {m.snr_db:.1f} dB over the rest of the mix "
            f"in {lo:.0f}-{hi:.0f} Hz, needs {self.snr_db:g} dB",
        )
