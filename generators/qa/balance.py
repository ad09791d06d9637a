"""Answer balancing without running counts: static acceptance tables from a fixed
calibration sample.

CLEVR flattens answers by rejecting against counts of what it already generated; that makes
a record depend on the records before it, which our engine forbids (a record must replay
alone and be identical whatever the worker count). Instead, the first time a kind is asked
in a process, :class:`Balancer` runs the kind's own proposal on a fixed calibration sample
(procedural graphs from a fixed seed), estimates ``q(a | key)`` -- the answer distribution
per balance key (:meth:`QuestionKind.balance_key`) -- and derives an acceptance probability
``min(1, c_key / q(a | key))``, where ``c_key`` is the frequency of the rarest answer still
inside the flat part (answers at least ``FLOOR`` times as frequent as the most frequent one;
every answer for yes/no kinds). At ask time a proposal with answer ``a`` is kept with that
probability, drawn from the record's RNG; a rejected proposal is not retried on the same
graph (retrying would re-weight graphs and undo the flattening). The result: within each
key the leading answers are equally likely and rare ones stay rare, so the wording of a
question (which slots it fills, which predicate it names) tells little about its answer
beyond the question's type; ``bench/blind_baseline.py`` measures how little. Kinds that draw
their balance label before the work (``gated``) consult the table up front.

The tables are a pure function of the code and the calibration seed, so every process
derives the same ones. They are cached on disk too (:func:`cache_dir`; about 2 s of work
per process otherwise, which ``synthgen replay`` of one record would pay every time), keyed
by the kind, the calibration source (world config or image-set key), synthgen's version
and a hash of synthgen's source, so an edit of the code never reads an old table; floats
round-trip through JSON exactly, so a cached table is the computed one. Balancing applies
to graphs of the calibrated source (the procedural world); imported Visual Genome graphs
are asked unbalanced.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from synthgen.fsutil import atomic_write_bytes
from synthgen.generators.qa.base import QA, MultiImageKind, QuestionKind, answer_label
from synthgen.generators.qa.graph import QAGraph
from synthgen.generators.qa.templates import default_templates

CALIBRATION_SEED = 4_2024
CALIBRATION_GRAPHS = 64
PROPOSALS = 2000
"""Proposals per kind on the calibration sample, at least; more (up to MAX_PROPOSALS) until
every balance key has MIN_PER_KEY questions."""
MIN_PER_KEY = 250
MAX_PROPOSALS = 8000
FLOOR = 0.3

Table = dict[str, dict[str, float]]
"""balance key -> answer label -> acceptance probability."""


label = answer_label
"""The answer's class (its position for options questions), see :func:`answer_label`."""


def question_type(qa: QA) -> str:
    """The question's type as its form shows it: the kind, the asked attribute type, the
    asked relation of a "what is X <pred>" question, the whole whose part is asked, the
    number of options (CLEVR's "Q-type"). The majority answer per type is the baseline a
    question-only model must not beat by more than a few points."""
    parts = [qa.kind]
    query = qa.program.get("query")
    if isinstance(query, str) and qa.answer_type == "attribute":
        parts.append(query)
    pred = qa.program.get("pred")
    if isinstance(pred, str) and qa.answer_type in ("name", "attribute"):
        parts.append(pred)  # "what is X holding" and "what is X standing on" differ in form
    if qa.program.get("op") == "part_at_point":
        parts.append(qa.program["whole"]["name"])  # the answer is one of that whole's parts
    options = qa.program.get("options")
    if options is not None:
        parts.append(f"{len(options)}")
    return ":".join(parts)


@functools.lru_cache(maxsize=8)
def calibration_graphs(world: BaseModel | None = None) -> tuple[QAGraph, ...]:
    """Procedural graphs of ``world`` (a world's settings; default: the shapes world) from a
    fixed seed, as the svg recipe asks them (other worlds: :func:`_open_world_graphs`), with
    instance masks (point kinds sample from them) and lazy depth (never built: the world's
    depth order comes from relations). Stratified by object count -- the same number of graphs for
    every count the world draws (uniformly) -- since most answer distributions hinge on it
    and a plain sample of this size would miss the population's mix by several points."""
    from synthgen.generators.qa.sources import from_scene_graph
    from synthgen.world import SceneSamplingError, WorldConfig
    from synthgen.world.graph import build_scene_graph
    from synthgen.world.scene import sample_rendered_scene

    world = world or WorldConfig()
    if not isinstance(world, WorldConfig):
        return _open_world_graphs(world)
    counts = range(world.min_objects, world.max_objects + 1)
    per = max(1, -(-CALIBRATION_GRAPHS // len(counts)))
    rng = np.random.default_rng(CALIBRATION_SEED)
    out = []
    for n in counts:
        stratum = world.model_copy(update={"min_objects": n, "max_objects": n})
        made = 0
        for _ in range(3 * per):  # a crowded stratum may fail to sample now and then
            if made == per:
                break
            try:
                scene, rendering = sample_rendered_scene(rng, stratum)
            except SceneSamplingError:
                continue
            graph = build_scene_graph(scene, rendering)
            # depth stays lazy: the shapes world's point-depth questions read it from
            # relations, so the map is never built, but the kinds see the capability
            out.append(
                from_scene_graph(graph, np.array(rendering.ids), lambda r=rendering: r.depth)
            )
            made += 1
    return tuple(out)


def _open_world_graphs(settings: BaseModel) -> tuple[QAGraph, ...]:
    """Calibration graphs of a registered world other than shapes, through the generic
    World API and the same view ``svg`` asks (``sources.world_view``), stratified by object
    count like the shapes world's when its settings have ``min_objects``/``max_objects``."""
    from synthgen.generators.qa.sources import world_view
    from synthgen.world import SceneSamplingError
    from synthgen.world.choice import world_of

    world = world_of(settings)
    lo, hi = getattr(settings, "min_objects", None), getattr(settings, "max_objects", None)
    strata = [settings]
    if isinstance(lo, int) and isinstance(hi, int):
        strata = [
            settings.model_copy(update={"min_objects": n, "max_objects": n})
            for n in range(lo, hi + 1)
        ]
    per = max(1, -(-CALIBRATION_GRAPHS // len(strata)))
    rng = np.random.default_rng(CALIBRATION_SEED)
    out = []
    for stratum in strata:
        made = 0
        for _ in range(3 * per):
            if made == per:
                break
            try:
                scene = world.sample(rng, stratum)
            except SceneSamplingError:
                continue
            rendering = world.render(scene, stratum)
            out.append(world_view(world, scene, rendering, world.graph(scene, rendering, stratum)))
            made += 1
    return tuple(out)


def independent_sets() -> tuple[tuple[QAGraph, ...], ...]:
    """Groups of 2-4 calibration graphs, for multi-image kinds."""
    graphs = calibration_graphs()
    sizes = (2, 3, 4)
    out, i, k = [], 0, 0
    while i + sizes[k % 3] <= len(graphs):
        out.append(graphs[i : i + sizes[k % 3]])
        i += sizes[k % 3]
        k += 1
    return tuple(out)


def calibrate(
    kind: QuestionKind, samples: Sequence[QAGraph] | Sequence[Sequence[QAGraph]]
) -> Table:
    """Acceptance table of ``kind`` from its proposals on ``samples`` (see module doc);
    empty (nothing rejected) when there are no samples."""
    multi = isinstance(kind, MultiImageKind)
    # only samples the kind can be asked of (the suite skips the others too)
    samples = [
        x
        for x in samples
        if kind.requires
        <= (
            frozenset.intersection(*(g.capabilities() for g in x))  # type: ignore[union-attr]
            if multi
            else x.capabilities()  # type: ignore[union-attr]
        )
    ]
    if not samples:
        return {}
    rng = np.random.default_rng([CALIBRATION_SEED, zlib.crc32(kind.name.encode())])
    templates = default_templates()
    counts: dict[str, Counter[str]] = {}
    for i in range(MAX_PROPOSALS):
        if i >= PROPOSALS and all(sum(c.values()) >= MIN_PER_KEY for c in counts.values()):
            break
        sample = samples[i % len(samples)]
        qa = kind.ask_many(sample, rng, templates) if multi else kind.ask(sample, rng, templates)  # type: ignore[arg-type, attr-defined]
        if qa is not None:
            counts.setdefault(kind.balance_key(qa), Counter())[kind.balance_label(qa)] += 1
    floor = kind.balance_floor
    if floor is None:
        floor = 0.0 if kind.answer_type == "bool" else FLOOR
    table: Table = {}
    for key, c in counts.items():
        total = sum(c.values())
        q = {a: n / total for a, n in c.items()}
        top = max(q.values())
        level = min(v for v in q.values() if v >= floor * top)
        table[key] = {a: min(1.0, level / v) for a, v in q.items()}
    return table


class Balancer:
    """Acceptance tables per kind, computed on first use and cached per process.

    ``world``: the world config single-image kinds are calibrated on (default: the default
    world). ``sets`` supplies calibration image sets for multi-image kinds (default: groups
    of independent calibration graphs); ``source_key`` names them for the cache."""

    def __init__(
        self,
        sets: Callable[[], Sequence[Sequence[QAGraph]]] | None = None,
        source_key: str = "independent",
        world: BaseModel | None = None,
    ) -> None:
        self.sets = sets or independent_sets
        self.source_key = source_key
        self.world = world
        # the cache key of single-image tables, serialised once: table() runs per proposal
        self._world_key = world.model_dump_json() if world is not None else "default"

    def table(self, kind: QuestionKind) -> Table:
        cls = type(kind)
        if isinstance(kind, MultiImageKind):
            key = (cls.name, cls.version, self.source_key)
            if key not in _CACHE:
                _CACHE[key] = _cached(key, lambda: calibrate(kind, self.sets()))
        else:
            key = (cls.name, cls.version, self._world_key)
            if key not in _CACHE:
                _CACHE[key] = _cached(key, lambda: calibrate(kind, calibration_graphs(self.world)))
        return _CACHE[key]

    def accept(self, kind: QuestionKind, qa: QA, rng: np.random.Generator) -> bool:
        """Keep ``qa`` with its answer's acceptance probability (one draw from ``rng``)."""
        return self.admit(kind, kind.balance_key(qa), kind.balance_label(qa), rng)

    def admit(self, kind: QuestionKind, key: str, label: str, rng: np.random.Generator) -> bool:
        """Keep a proposal with balance ``key`` and ``label``? (a gate for gated kinds)"""
        row = self.table(kind).get(key)
        p = 1.0 if row is None else row.get(label, 1.0)
        return bool(rng.random() < p)


_CACHE: dict[tuple[str, str, str], Table] = {}


# --- the on-disk cache of tables -------------------------------------------------------------

CACHE_ENV = "SYNTHGEN_CACHE_DIR"
"""Overrides synthgen's cache folder (tables go to its ``calibration/``)."""


def cache_dir() -> Path:
    """``$SYNTHGEN_CACHE_DIR/calibration``, else ``$XDG_CACHE_HOME/synthgen/calibration``,
    else ``~/.cache/synthgen/calibration``."""
    root = os.environ.get(CACHE_ENV)
    if root:
        return Path(root).expanduser() / "calibration"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "synthgen" / "calibration"


@functools.cache
def code_fingerprint() -> str:
    """synthgen's version and a hash of its source (.py and .toml files of the synthgen,
    generators and prompts packages; a few ms): a table cached by other code is never read."""
    import synthgen
    import synthgen.generators
    import synthgen.prompts

    h = hashlib.sha256(synthgen.__version__.encode())
    seen: set[Path] = set()
    for package in (synthgen, synthgen.generators, synthgen.prompts):
        root = Path(package.__file__).resolve().parent
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".toml") and path not in seen and path.is_file():
                seen.add(path)
                h.update(path.relative_to(root).as_posix().encode() + b"\0")
                h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


def _cache_file(key: tuple[str, str, str]) -> Path:
    ident = json.dumps([code_fingerprint(), CALIBRATION_SEED, *key])
    return cache_dir() / f"{hashlib.sha256(ident.encode()).hexdigest()[:40]}.json"


def _valid_table(data: object) -> bool:
    return isinstance(data, dict) and all(
        isinstance(row, dict) and all(isinstance(p, float) for p in row.values())
        for row in data.values()
    )


def _cached(key: tuple[str, str, str], compute: Callable[[], Table]) -> Table:
    """The table of ``key`` from the disk cache, or computed and stored (atomically). A
    missing, unreadable or corrupt file is recomputed and rewritten; a cache that cannot be
    written is skipped."""
    path = _cache_file(key)
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(stored, dict) and stored.get("key") == list(key):
            table = stored.get("table")
            if _valid_table(table):
                return table  # type: ignore[return-value]
    except (OSError, ValueError):
        pass
    table = compute()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, json.dumps({"key": list(key), "table": table}).encode())
    except OSError:
        pass
    return table
