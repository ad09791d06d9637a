"""Sampling an audio scene: which sounds, their parameters, levels, pans and places in time.

:func:`sample_scene` draws everything from the RNG it is given, in a fixed order, so a scene
is a pure function of (config, RNG state). Events are placed so that every pair has an
unambiguous time relation and the clip has a describable structure
(:mod:`synthgen.world.sound.timing`); when random placement fails a few times the scene is
given up with :class:`SoundSceneError` (the program rejects the candidate).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from synthgen.cachedir import cached_bytes, numpy_key, source_digest

# importing these modules registers their synthesisers
from synthgen.world.sound import everyday, instruments, speech, textures, tonal  # noqa: F401
from synthgen.world.sound.noise import BACKGROUNDS
from synthgen.world.sound.priors import SCENE_TYPES, weights
from synthgen.world.sound.synth import SYNTHS, EventSpec, get_synth
from synthgen.world.sound.timing import Margins, Structure, structure, unambiguous

DEFAULT_CLASSES = tuple(SYNTHS)
"""Every registered class: procedural ones, General MIDI instruments and drums, and speech
(skipped and counted where espeak-ng is not installed)."""

SceneType = Literal["street", "kitchen", "park", "concert", "office"]

EDGE_S = 0.1
"""Events start and end at least this far inside the clip."""


class SoundSceneError(Exception):
    """The sampler could not make a valid scene; ``reason`` is a reject code."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class SoundSceneConfig(BaseModel):
    """How audio scenes are drawn. Ranges are inclusive ``[low, high]`` pairs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sample_rate: Literal[16000, 22050, 32000, 44100, 48000] = 16000
    channels: Literal[1, 2] = Field(1, description="1 = mono, 2 = stereo (events are panned)")
    duration_s: tuple[float, float] = Field((5.0, 10.0), description="clip length range")
    events: tuple[int, int] = Field((1, 5), description="number of sound events")
    classes: tuple[str, ...] = Field(
        DEFAULT_CLASSES, description="sound classes to draw from ('speech' needs espeak-ng)"
    )
    scenes: tuple[SceneType, ...] = Field(
        SCENE_TYPES, description="scene types whose class priors draw the sounds"
    )
    event_level_db: tuple[float, float] = Field(
        (-32.0, -14.0), description="event RMS level over its active frames, dBFS"
    )
    background_level_db: tuple[float, float] = Field(
        (-50.0, -30.0), description="background noise RMS level, dBFS"
    )
    backgrounds: tuple[Literal["white", "pink", "brown"], ...] = BACKGROUNDS
    gap_margin_s: float = Field(0.15, ge=0, description="'before' needs this much silence")
    overlap_margin_s: float = Field(0.3, ge=0, description="'overlapping' needs this much")
    onset_margin_s: float = Field(0.25, ge=0, description="onsets at least this far apart")
    max_concurrent: int = Field(3, ge=1, description="at most this many events at once")
    placement_tries: int = Field(20, ge=1, description="onset draws per event in a group")
    placement_rounds: int = Field(8, ge=1, description="layouts tried before giving up")

    @field_validator("classes")
    @classmethod
    def _known_classes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - set(SYNTHS))
        if unknown:
            raise ValueError(f"unknown sound classes {unknown}; choose from {sorted(SYNTHS)}")
        if not value:
            raise ValueError("needs at least one sound class")
        return tuple(dict.fromkeys(value))

    @model_validator(mode="after")
    def _ranges(self) -> SoundSceneConfig:
        for name in ("duration_s", "events", "event_level_db", "background_level_db"):
            lo, hi = getattr(self, name)
            if lo > hi:
                raise ValueError(f"{name}: low {lo} > high {hi}")
        if not 1.0 <= self.duration_s[0] <= 60.0 or self.duration_s[1] > 60.0:
            raise ValueError("duration_s must lie within [1, 60] seconds")
        if self.events[0] < 1:
            raise ValueError("events: at least 1")
        if not self.backgrounds:
            raise ValueError("backgrounds: at least one colour")
        if not self.scenes:
            raise ValueError("scenes: at least one scene type")
        return self

    @property
    def margins(self) -> Margins:
        return Margins(self.gap_margin_s, self.overlap_margin_s, self.onset_margin_s)


@dataclass
class SceneSpec:
    """A drawn scene, before rendering. ``skipped`` lists classes drawn but unavailable."""

    duration: float
    sample_rate: int
    channels: int
    background: str
    background_level_db: float
    events: list[EventSpec]
    structure: Structure
    skipped: list[str] = field(default_factory=list)
    scene_type: str = ""


AMBIENT_SHARE = 0.75
"""Chance that an ambient-capable event (rain, wind, engine) becomes the clip's background
when there are other events; otherwise it is one of the foreground events."""

AMBIENT_LEVEL_DB = 6.0
"""A sound laid out as the background of the others is this much quieter than drawn (what a
caption calls "in the background" is heard behind the rest, and does not mask it)."""

GROUP_SHARE = 0.35
"""Chance that a foreground event joins the previous one's group (sounds with it); each
failed layout raises it by 0.1, so crowded clips pack more sounds together."""


def _concurrency_ok(spans: list[tuple[float, float]], limit: int) -> bool:
    return all(sum(a <= s[0] < b for a, b in spans) <= limit for s in spans)


def _group_offsets(
    rng: np.random.Generator, durations: list[float], margins: Margins, tries: int
) -> list[float] | None:
    """Offsets within a group (longest first, at 0) so every pair overlaps with margin and
    onsets are apart; None if a member cannot be fitted."""
    offsets = [0.0]
    for d in durations[1:]:
        hi = durations[0] - min(margins.overlap, 0.75 * d)
        for _ in range(tries):
            o = round(float(rng.uniform(margins.onset, max(margins.onset, hi))), 3)
            span = (o, o + d)
            if all(
                unambiguous(span, (oj, oj + dj), margins) and min(o + d, oj + dj) - max(o, oj) > 0
                for oj, dj in zip(offsets, durations, strict=False)
            ):
                offsets.append(o)
                break
        else:
            return None
    return offsets


def _layout(
    rng: np.random.Generator,
    events: list[EventSpec],
    duration: float,
    cfg: SoundSceneConfig,
    group_share: float,
) -> bool:
    """Lay the events out: ambient ones across the clip, the others in sequential groups of
    mutually overlapping sounds with gaps between groups. Sets each ``onset`` (and the
    duration of ambient events); False when this draw does not fit."""
    margins = cfg.margins
    n = len(events)
    ambient = [
        i
        for i, ev in enumerate(events)
        if n > 1 and get_synth(ev.label).ambient and rng.random() < AMBIENT_SHARE
    ]
    if len(ambient) == n:
        ambient = ambient[:-1]
    foreground = [i for i in range(n) if i not in ambient]
    rng.shuffle(foreground)
    room = cfg.max_concurrent - len(ambient)
    groups: list[list[int]] = []
    for i in foreground:
        fits = events[i].duration >= 0.4
        if groups and fits and len(groups[-1]) < room and rng.random() < group_share:
            groups[-1].append(i)
        else:
            groups.append([i])
    placed: list[tuple[list[int], list[float], float]] = []
    for group in groups:
        group.sort(key=lambda i: -events[i].duration)
        durations = [events[i].duration for i in group]
        offsets = _group_offsets(rng, durations, margins, cfg.placement_tries)
        if offsets is None:
            return False
        placed.append((group, offsets, max(o + d for o, d in zip(offsets, durations, strict=True))))
    lead = margins.onset + 0.05 if ambient else 0.0  # ambient sounds start first
    usable = duration - 2 * EDGE_S - lead
    slack = usable - sum(p[2] for p in placed) - margins.gap * (len(placed) - 1)
    if slack < 0 or room < 1:
        return False
    shares = rng.dirichlet(np.ones(len(placed) + 1)) * slack
    t = EDGE_S + lead + float(shares[0])
    for (group, offsets, length), extra in zip(placed, shares[1:], strict=True):
        for i, o in zip(group, offsets, strict=True):
            events[i].onset = round(t + o, 3)
        t += length + margins.gap + float(extra)
    first_on = min(events[i].onset for i in foreground)
    last_off = max(events[i].offset for i in foreground)
    for i in ambient:  # covers every foreground event, so it overlaps each of them fully
        on = EDGE_S + (first_on - margins.onset - EDGE_S) * float(rng.random()) ** 2
        off = duration - EDGE_S - (duration - EDGE_S - last_off) * float(rng.random()) ** 2
        events[i].onset = round(on, 3)
        events[i].duration = round(off - events[i].onset, 3)
    return True


def _place(
    rng: np.random.Generator,
    events: list[EventSpec],
    duration: float,
    cfg: SoundSceneConfig,
    group_share: float,
) -> Structure | None:
    """Lay out the events and check the result: every pair unambiguous, at most
    ``max_concurrent`` at once, a describable structure. None if this draw fails."""
    if not _layout(rng, events, duration, cfg, group_share):
        return None
    spans = [(ev.onset, ev.offset) for ev in events]
    if not _concurrency_ok(spans, cfg.max_concurrent):
        return None
    ambient_ok = [get_synth(ev.label).ambient for ev in events]
    return structure(spans, ambient_ok, cfg.margins)


def sample_scene(rng: np.random.Generator, cfg: SoundSceneConfig) -> SceneSpec:
    """Draw one scene (see the module docstring). Raises :class:`SoundSceneError`."""
    duration = round(float(rng.uniform(*cfg.duration_s)), 2)
    scene_type, drawn = draw_classes(rng, cfg)
    labels = [c for c in drawn if get_synth(c).available()]
    skipped = [c for c in drawn if c not in labels]
    if not labels:
        raise SoundSceneError("no_events", f"every drawn class is unavailable: {skipped}")
    # each event gets a fair share of the clip, so a layout usually fits at the first try
    room = (duration - 2 * EDGE_S) * 2.0 / (len(labels) + 1)
    events = []
    for label in labels:
        synth = get_synth(label)
        ev = synth.sample(rng, room)
        ev.duration = round(ev.duration, 3)
        ev.level_db = round(float(rng.uniform(*cfg.event_level_db)) + synth.level_offset_db, 2)
        ev.pan = round(float(rng.uniform(-0.9, 0.9)), 2) if cfg.channels > 1 else 0.0
        events.append(ev)
    found = None
    drawn_durations = [ev.duration for ev in events]
    for attempt in range(cfg.placement_rounds):
        for ev, d in zip(events, drawn_durations, strict=True):
            ev.duration = d  # a failed layout may have stretched ambient sounds
        found = _place(rng, events, duration, cfg, GROUP_SHARE + 0.1 * attempt)
        if found is not None:
            break
    if found is None:
        raise SoundSceneError("no_layout", f"could not place {labels} in {duration} s")
    for i in found.ambient:
        events[i].level_db = round(events[i].level_db - AMBIENT_LEVEL_DB, 2)
    # ids in time order: event k of the graph is the k-th to start
    events.sort(key=lambda ev: ev.onset)
    ambient_ok = [get_synth(ev.label).ambient for ev in events]
    found = structure([(ev.onset, ev.offset) for ev in events], ambient_ok, cfg.margins)
    assert found is not None  # the same spans as placed, renumbered
    background = cfg.backgrounds[int(rng.integers(len(cfg.backgrounds)))]
    return SceneSpec(
        duration=duration,
        sample_rate=cfg.sample_rate,
        channels=cfg.channels,
        background=background,
        background_level_db=round(float(rng.uniform(*cfg.background_level_db)), 2),
        events=events,
        structure=found,
        skipped=skipped,
        scene_type=scene_type,
    )


def draw_classes(rng: np.random.Generator, cfg: SoundSceneConfig) -> tuple[str, list[str]]:
    """A scene type (uniform over ``cfg.scenes``) and 1..n distinct classes drawn without
    replacement with that scene's prior weights (:mod:`~synthgen.world.sound.priors`)."""
    scene_type = cfg.scenes[int(rng.integers(len(cfg.scenes)))]
    pool = cfg.classes
    count = min(int(rng.integers(cfg.events[0], cfg.events[1] + 1)), len(pool))
    picks = rng.choice(len(pool), size=count, replace=False, p=weights(scene_type, pool))
    return scene_type, [pool[i] for i in picks]


RATE_SEED = 0x5EED
RATE_DRAWS = 10000
RATES_CACHE = "sound-rates"
"""Cache folder of the fitted presence rates (:func:`synthgen.cachedir.cache_dir`)."""


def presence_rates(cfg: SoundSceneConfig, rounds: int = 8) -> dict[str, float]:
    """See :func:`_presence_rates` (cached per process by what it depends on)."""
    return dict(_presence_rates(cfg.classes, cfg.scenes, cfg.events, rounds))


@cache
def _presence_rates(
    classes: tuple[str, ...], scenes: tuple[str, ...], events: tuple[int, int], rounds: int
) -> tuple[tuple[str, float], ...]:
    """Class -> weight for drawing the absent class of a "no" presence question, so that
    each class is the subject of a "no" about as often as of a "yes".

    A "yes" asks about one of the clip's events (uniformly), so class c is its subject at
    rate r_c. A "no" draws among the classes absent from the clip and of no family present
    (``eligible``) with weights w; its rate for c is the mean over clips of
    ``eligible_c w_c / sum(w over eligible)``. Starting from w = r, ``rounds`` proportional
    fitting steps (w_c *= r_c / rate_c) make the two rates agree on :data:`RATE_DRAWS`
    class draws from a fixed seed (no audio), so the weights are a pure function of the
    config.

    The fit takes 0.15-0.25 s of CPU, so its result is kept in the per-machine cache
    (:func:`synthgen.cachedir.cached_bytes`), keyed by every input of :func:`_fit_rates`
    (the scene priors and the classes' availability and families as values, not names),
    this module's source and numpy: a one-record replay reads it back (issue #16)."""
    prior = np.stack([weights(s, classes) for s in scenes])
    available = [bool(get_synth(c).available()) for c in classes]
    family = [get_synth(c).family for c in classes]
    key = {
        "what": "presence rates",
        "classes": list(classes),
        "scenes": list(scenes),
        "events": list(events),
        "rounds": rounds,
        "prior": prior.tolist(),
        "available": available,
        "family": family,
        "seed": RATE_SEED,
        "draws": RATE_DRAWS,
        "source": source_digest(__file__),
        **numpy_key(),
    }

    def build() -> bytes:
        w = _fit_rates(prior, available, family, events, rounds)
        return json.dumps([float(x) for x in w]).encode()

    w = json.loads(cached_bytes(RATES_CACHE, key, build))
    if len(w) != len(classes):  # the key names the classes; this cannot happen
        raise ValueError("presence-rate cache holds the wrong number of classes")
    return tuple((c, float(w[i])) for i, c in enumerate(classes))


def _fit_rates(
    prior: np.ndarray,
    available: list[bool],
    family: list[str],
    events: tuple[int, int],
    rounds: int,
) -> np.ndarray:
    """The fitted weights of :func:`_presence_rates` (one per class), from the scenes' prior
    weights (scenes x classes), each class's availability and family."""
    rng = np.random.default_rng(RATE_SEED)
    d, n = RATE_DRAWS, prior.shape[1]
    # the sampler's draws, vectorised: scene uniform, count uniform, then classes without
    # replacement with the scene's weights -- the top `count` of log-weight + Gumbel noise
    # (Gumbel-top-k), which has the distribution of successive weighted draws
    scene = rng.integers(prior.shape[0], size=d)
    count = np.minimum(rng.integers(events[0], events[1] + 1, size=d), n)
    logw = np.log(prior)[scene]
    order = np.argsort(-(logw + rng.gumbel(size=(d, n))), axis=1)
    drawn = np.zeros((d, n), bool)
    np.put_along_axis(drawn, order, np.arange(n)[None, :] < count[:, None], axis=1)
    present = drawn & np.array(available)[None, :]
    sizes = present.sum(axis=1, keepdims=True)
    yes = (present / np.maximum(sizes, 1)).sum(axis=0)
    families = sorted(set(family))
    fam = np.array([families.index(f) for f in family])
    fam_present = np.zeros((d, len(families)), bool)
    rows, cols = np.nonzero(present)
    fam_present[rows, fam[cols]] = True
    eligible = ~present & ~fam_present[:, fam]
    r = yes / RATE_DRAWS
    w = r.copy()
    for _ in range(rounds):
        share = eligible * w / np.maximum((eligible * w).sum(axis=1, keepdims=True), 1e-12)
        rate = share.mean(axis=0)
        w = np.where(rate > 0, w * r / np.maximum(rate, 1e-12), w)
    return w
