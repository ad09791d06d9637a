"""Which sounds go together: class weights per scene type (co-occurrence priors).

A clip first draws a scene type (uniformly from the configured ones), then its classes
without replacement with these weights, so a kitchen clip is mostly frying, chopping and
dishes and a street clip traffic, horns and footsteps. Every class not listed for a scene
keeps :data:`FLOOR` (rare, not impossible): any configured class can appear, and a config
that names classes no scene lists still works. The scene type is recorded in the graph as
provenance; it is not asked about (a listener hears sounds, not a room label).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from synthgen.world.sound.instruments import MELODIC, PERCUSSION

SCENE_TYPES = ("street", "kitchen", "park", "concert", "office")

FLOOR = 0.03

_MUSIC = tuple(i.name for i in MELODIC)
_DRUMS = (*(p.name for p in PERCUSSION), "drum_roll", "drum_kit", "drum")


def _w(main: str, minor: str = "") -> dict[str, float]:
    return {**{c: 0.4 for c in minor.split()}, **{c: 1.0 for c in main.split()}}


PRIORS: dict[str, dict[str, float]] = {
    "street": _w(
        "traffic car_horn car_passing motorcycle siren engine footsteps bicycle_bell speech "
        "jackhammer dog",
        "helicopter crow birds wind rain drill hammer whistling bell thunder cough beep",
    ),
    "kitchen": _w(
        "frying faucet microwave blender dishes cutlery chopping beep speech clock",
        "knock footsteps cat dog fan telephone doorbell smoke_alarm vacuum cough rain "
        "whistling hair_dryer",
    ),
    "park": _w(
        "birds dog wind leaves stream duck crow owl cricket frog bee footsteps speech",
        "bicycle_bell rain thunder whistling rooster cow fire waves helicopter chime bell applause",
    ),
    "concert": {
        **_w("applause speech", "cough whistling chime bell"),
        **{c: 1.0 for c in _MUSIC},
        **{c: 0.6 for c in _DRUMS},
    },
    "office": _w(
        "typing printer telephone fan speech footsteps knock cough clock beep",
        "doorbell dial_tone smoke_alarm microwave finger_snap rain wind heartbeat snoring "
        "hammer drill",
    ),
}


@cache
def weights(scene: str, classes: tuple[str, ...]) -> np.ndarray:
    """Probabilities of ``classes`` in ``scene``: the table's weights (:data:`FLOOR` for
    unlisted ones), normalised; read-only, made once per (scene, classes)."""
    table = PRIORS[scene]
    w = np.array([table.get(c, FLOOR) for c in classes])
    w /= w.sum()
    w.flags.writeable = False
    return w
