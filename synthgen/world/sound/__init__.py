"""Procedural sound scenes with exact, signal-checked ground truth (numpy only).

    rng = numpy.random.default_rng(seed)
    cfg = SoundSceneConfig(sample_rate=16000, events=(1, 5))
    spec = sample_scene(rng, cfg)            # classes, parameters, spans, levels
    scene = render_scene(spec, rng)          # scene.mix: float32 samples; scene.stems
    scene.measurements                       # per-event band, loudness, SNR (cached)
    graph = build_graph(scene, margins)      # AudioSceneGraph with relations

Synthesisers (:data:`SYNTHS`) are parametric numpy classes registered by name; see
:mod:`~synthgen.world.sound.tonal`, :mod:`~synthgen.world.sound.everyday`,
:mod:`~synthgen.world.sound.instruments` (General MIDI samples),
:mod:`~synthgen.world.sound.textures` and
:mod:`~synthgen.world.sound.speech` (espeak-ng, optional). Everything random comes from the
RNG passed in.
"""

from synthgen.world.sound.analysis import EventMeasure, SceneMeasurements, measure
from synthgen.world.sound.graph import (
    PREDICATES,
    AudioSceneGraph,
    Background,
    RelationMargins,
    SoundEvent,
    build_graph,
    compute_relations,
)
from synthgen.world.sound.noise import NoiseBank, noise_bank
from synthgen.world.sound.render import RenderedScene, Stem, render_scene
from synthgen.world.sound.scene import (
    DEFAULT_CLASSES,
    SceneSpec,
    SoundSceneConfig,
    SoundSceneError,
    sample_scene,
)
from synthgen.world.sound.synth import SYNTHS, EventSpec, Synth, get_synth, register_synth
from synthgen.world.sound.timing import Margins, Structure, structure, time_relation

__all__ = [
    "DEFAULT_CLASSES",
    "PREDICATES",
    "SYNTHS",
    "AudioSceneGraph",
    "Background",
    "EventMeasure",
    "EventSpec",
    "Margins",
    "NoiseBank",
    "RelationMargins",
    "RenderedScene",
    "SceneMeasurements",
    "SceneSpec",
    "SoundEvent",
    "SoundSceneConfig",
    "SoundSceneError",
    "Stem",
    "Structure",
    "Synth",
    "build_graph",
    "compute_relations",
    "get_synth",
    "measure",
    "noise_bank",
    "register_synth",
    "render_scene",
    "sample_scene",
    "structure",
    "time_relation",
]
