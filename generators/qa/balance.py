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

Flattening per key cannot remove what the *words filling the slots* say: on real things
"trees or cars, which are more?" is "trees" and "the kite or the dog, which is higher?" is
"the kite" without a look. A kind that names such words defines ``balance_cues(qa)`` --
(group, word, outcome) triples, e.g. each option's category with "win"/"lose" -- and is
calibrated on a larger sample (``CUE_GRAPHS`` of an open world); :func:`_rake` then fits a
weight per word and outcome so that among accepted questions each word's outcomes follow
its group's (each category wins as often as any option does), and words that cannot be
balanced, or were seen too rarely to tell, are not asked at all.

On open worlds a yes/no or name answer is also predicted by the *whole text* of the
question: "Is there a bed on the floor?" is "yes" and "a computer on the tile" is "no"
without a look, "What is the man riding?" is "bicycle". Kinds that say so
(:func:`text_levels`: a kind's ``balance_text``) are flattened per *text bucket* instead of
per key or per word: the answers (``balance_text_label``: an options question's winner by
name) of each question text seen ``MIN_TEXT`` times in ``MIN_TEXT_GRAPHS`` calibration
graphs are made equally likely (every answer seen ``MIN_ANSWER`` times, however rare); a
text whose answers cannot be made so (a yes/no text seen with one answer only, a name
question with one answer: "What is the lantern hanging from?" is "ceiling") is not asked. A
text seen too rarely to tell falls back to the next, coarser level of its ``balance_text``;
one rare at every level is not asked either. Shapes-world tables are unchanged (no text
rows).

A name question's texts may have different answer sets ("What is the deer standing on?":
grass or beach; most "standing on" questions: a floor), and flattened to equal shares each
text still tells a question-only model which answers are out: a kind with
``balance_text_anchor`` has, per balance key, one anchor answer that leads every asked text
(:func:`_anchored`; texts without it are not asked).

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
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from synthgen.cachedir import cache_dir as shared_cache_dir
from synthgen.fsutil import atomic_write_bytes
from synthgen.generators.qa.base import QA, MultiImageKind, QuestionKind, answer_label
from synthgen.generators.qa.draws import draws
from synthgen.generators.qa.graph import QAGraph
from synthgen.generators.qa.templates import default_templates

CALIBRATION_SEED = 4_2024
CALIBRATION_GRAPHS = 64
CUE_GRAPHS = 880
"""Calibration graphs for kinds with ``balance_cues`` (80 per object count of the sprite
world; ~10 CPU-s once, then cached on disk). A kind may ask for more on open worlds with a
``cue_graphs`` attribute (the shapes world keeps this many)."""
OPEN_CUE_GRAPHS = 4 * CUE_GRAPHS
"""The open-world sample of leftmost / rightmost, part_at_point and compositional_count
(one sample, so a process builds it once; it peaks near 2.8 GB while the tables are made).
Left-/right-most's per-name weights fitted on 2,640 graphs still left a question-only model
+6.7 / +1.5 and +3.1 / +5.7 points over the per-type majority (5,000-5,400 QA, seeds 12 /
13, stop 28); on 3,520: +1.2 / +2.7 and -0.6 / +1.4."""
PROPOSALS = 2000
"""Proposals per kind on the calibration sample, at least; more (up to MAX_PROPOSALS) until
every balance key has MIN_PER_KEY questions."""
MIN_PER_KEY = 250
MAX_PROPOSALS = 8000
FLOOR = 0.3
CUED_PROPOSALS = 20_000
"""Proposals of a kind with cues (``balance_cues``): per-word statistics need more."""
MIN_CUE = 20
"""Fewest calibration proposals showing a cue for it to be weighted."""
MIN_CUE_GRAPHS = 8
"""Fewest calibration graphs showing a cue for it to be weighted (each graph is asked many
times: 20 proposals of one graph tell nothing about the word)."""
RAKE_ROUNDS = 30
RAKE_TOLERANCE = 0.1
TOP_QUANTILE = 0.99
"""Weights are scaled so this quantile of a key's proposals is accepted for sure (a kind
may say another with a ``rake_quantile`` attribute)."""
LOG_BOUND = 8.0
"""Raking factors stay within exp(+-LOG_BOUND) (a cue that would need more is dropped)."""
MAX_RATIO = 4.0
"""Most a cue's outcome may be under-represented against its group's (a category that wins
in 2 of 3 two-option questions is balanced by rejection; one that wins in 9 of 10 is not
offered)."""
"""Largest total-variation distance between a cue's weighted outcomes and its group's
after raking; a cue further off is not asked at all."""
CUE = "\x00cue:"
SEP = "\x01"
UNSEEN = CUE + "*"
"""The row saying what a cue seen fewer than ``MIN_CUE`` times is weighted (0: not asked)."""
TEXT = CUE + "text:"
"""Prefix of the rows of text buckets (see :func:`text_levels`)."""
MIN_TEXT = 20
"""Fewest calibration proposals of a question text for its answers to be flattened."""
MIN_ANSWER = 3
"""Fewest calibration proposals of each flattened answer of a question text."""
MIN_TEXT_GRAPHS = 5
"""Fewest calibration graphs a question text must be asked of (each graph is asked many
times, so its proposals are not independent), and 2 of them for each flattened answer; a
kind may ask for more with a ``min_text_graphs`` attribute."""
TEXT_PROPOSALS = 40_000
"""Proposals of a kind flattened per question text (a kind may ask for more with a
``text_proposals`` attribute)."""

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
    wh = qa.program.get("wh")
    if isinstance(wh, str):
        parts.append(wh)  # "who is holding X" asks for a person, "what is on X" for a thing
    if qa.program.get("op") == "part_at_point":
        parts.append(qa.program["whole"]["name"])  # the answer is one of that whole's parts
    options = qa.program.get("options")
    if options is not None:
        parts.append(f"{len(options)}")
    return ":".join(parts)


@functools.lru_cache(maxsize=8)
def calibration_graphs(world: BaseModel | None = None, n: int | None = None) -> tuple[QAGraph, ...]:
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
        return _open_world_graphs(world, n or CALIBRATION_GRAPHS)
    counts = range(world.min_objects, world.max_objects + 1)
    per = max(1, -(-(n or CALIBRATION_GRAPHS) // len(counts)))
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


def _open_world_graphs(settings: BaseModel, n: int = CALIBRATION_GRAPHS) -> tuple[QAGraph, ...]:
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
    per = max(1, -(-n // len(strata)))
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


def program_words(qa: QA) -> str:
    """Every word of a question's program but its op (names, attributes, predicates, in
    key order): what the question text says, less the template's wording."""
    out: list[str] = []

    def walk(x: object) -> None:
        if isinstance(x, dict):
            for k in sorted(x):
                if k not in ("kind", "op", "decided"):
                    walk(x[k])
        elif isinstance(x, (list, tuple)):
            for v in x:
                walk(v)
        else:
            out.append(str(x))

    walk(qa.program)
    return "|".join(out)


def text_levels(kind: QuestionKind, qa: QA) -> tuple[str, ...]:
    """The question text buckets ``qa``'s answer is flattened in, finest first (empty: the
    kind is flattened per key only): the kind's ``balance_text(qa)``."""
    own = getattr(kind, "balance_text", None)
    return tuple(own(qa)) if own is not None else ()


def text_label(kind: QuestionKind, qa: QA) -> str:
    """What is flattened per text: the kind's ``balance_text_label(qa)`` (an options
    question's answer by name: which of the named things wins is what the names tell),
    else its ``balance_label``."""
    own = getattr(kind, "balance_text_label", None)
    return str(own(qa)) if own is not None else kind.balance_label(qa)


def text_balanced(kind: QuestionKind) -> bool:
    return hasattr(kind, "balance_text")


def text_row(level: int, key: str, text: str) -> str:
    """The table row of a text bucket (of its balance key, at a level)."""
    return f"{TEXT}{level}{SEP}{key}{SEP}{text}"


def calibrate(
    kind: QuestionKind,
    samples: Sequence[QAGraph] | Sequence[Sequence[QAGraph]],
    text: bool = False,
) -> Table:
    """Acceptance table of ``kind`` from its proposals on ``samples`` (see module doc);
    empty (nothing rejected) when there are no samples. ``text``: add rows per question
    text bucket (:func:`text_levels`)."""
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
    rng = draws(np.random.default_rng([CALIBRATION_SEED, zlib.crc32(kind.name.encode())]))
    templates = default_templates()
    counts: dict[str, Counter[str]] = {}
    # a kind flattened per text is not raked per word as well
    cues_of = None if text else getattr(kind, "balance_cues", None)
    cued: list[Proposal] = []
    cued_on: list[int] = []
    texts: dict[tuple[int, str, str], Counter[str]] = {}
    where: dict[tuple[int, str, str], dict[str, set[int]]] = {}
    big = cues_of is not None or text
    proposals = CUED_PROPOSALS if big else MAX_PROPOSALS
    if text:
        proposals = getattr(kind, "text_proposals", TEXT_PROPOSALS)
    for i in range(proposals):
        if (
            not big
            and i >= PROPOSALS
            and all(sum(c.values()) >= MIN_PER_KEY for c in counts.values())
        ):
            break
        sample = samples[i % len(samples)]
        qa = kind.ask_many(sample, rng, templates) if multi else kind.ask(sample, rng, templates)  # type: ignore[arg-type, attr-defined]
        if qa is not None:
            key, lab = kind.balance_key(qa), kind.balance_label(qa)
            counts.setdefault(key, Counter())[lab] += 1
            if cues_of is not None:
                cued.append((key, lab, tuple(cues_of(qa))))
                cued_on.append(i % len(samples))
            if text:
                said = text_label(kind, qa)
                for level, bucket in enumerate(text_levels(kind, qa)):
                    texts.setdefault((level, key, bucket), Counter())[said] += 1
                    where.setdefault((level, key, bucket), {}).setdefault(said, set()).add(
                        i % len(samples)
                    )
    floor = kind.balance_floor
    if floor is None:
        floor = 0.0 if kind.answer_type == "bool" else FLOOR
    table: Table = {}
    targets: dict[str, dict[str, float]] = {}
    for key, c in counts.items():
        table[key], targets[key] = _flatten(c, floor)
    if cued:
        return _rake(cued, targets, cued_on, getattr(kind, "rake_quantile", TOP_QUANTILE))
    both = ("no", "yes") if kind.answer_type == "bool" else ()
    min_graphs = getattr(kind, "min_text_graphs", MIN_TEXT_GRAPHS)
    told = {b: c for b, c in texts.items() if _told(c, where[b], min_graphs)}
    lead = getattr(kind, "anchor_lead", ANCHOR_LEAD)
    anchors = _anchors(told, where, lead) if getattr(kind, "balance_text_anchor", False) else {}
    for (level, key, bucket), c in sorted(texts.items()):
        graphs = where[(level, key, bucket)]
        if (level, key, bucket) in told:
            seen = {**dict.fromkeys(both, 0), **c}
            # every answer seen MIN_ANSWER times (in two graphs) equally likely, rarer
            # ones stay rare; a yes/no text seen (nearly) with one answer only, a text
            # with one answer seen often enough: not asked (rate 0) -- but the anchor alone
            # where the kind lets it lead by any margin (``anchor_lead`` infinite)
            flat = [a for a, n in seen.items() if _flat(a, seen, graphs)]
            sole = key in anchors and flat == [anchors[key]] and lead == float("inf")
            if (len(flat) < 2 and not sole) or (both and len(flat) < len(both)):
                table[text_row(level, key, bucket)] = dict.fromkeys(seen, 0.0)
                continue
            if key in anchors:
                table[text_row(level, key, bucket)] = _anchored(seen, flat, anchors[key], lead)
                continue
            least = min(seen[a] for a in flat)
            table[text_row(level, key, bucket)] = {a: min(1.0, least / n) for a, n in seen.items()}
    return table


def _told(c: Counter[str], graphs: dict[str, set[int]], min_graphs: int = MIN_TEXT_GRAPHS) -> bool:
    """Was a question text asked often enough (in ``min_graphs`` graphs or more) to flatten
    its answers?"""
    return sum(c.values()) >= MIN_TEXT and len(set().union(*graphs.values())) >= min_graphs


def _flat(a: str, seen: dict[str, int], graphs: dict[str, set[int]]) -> bool:
    """Is answer ``a`` of a text seen often enough (in two graphs) to be flattened?"""
    return seen[a] >= MIN_ANSWER and len(graphs.get(a, ())) >= 2


def _anchors(
    told: dict[tuple[int, str, str], Counter[str]],
    where: dict[tuple[int, str, str], dict[str, set[int]]],
    lead: float,
) -> dict[str, str]:
    """Per balance key (the question's type), the answer every asked text of an anchored
    kind must lead with (see :func:`_anchored`): of the answers, the one that keeps the most
    calibration proposals asked (summed over the texts told at every level)."""
    kept: dict[str, Counter[str]] = {}
    for (level, key, bucket), c in told.items():
        seen = dict(c)
        flat = [a for a in seen if _flat(a, seen, where[(level, key, bucket)])]
        if len(flat) < 2:
            continue
        for a in flat:
            rates = _anchored(seen, flat, a, lead)
            kept.setdefault(key, Counter())[a] += sum(rates[b] * n for b, n in seen.items())
    return {key: min(c, key=lambda a: (-c[a], a)) for key, c in kept.items()}


ANCHOR_MARGIN = 0.6
"""In a text of an anchored kind, each other answer is kept at most this share of the
anchor's count, so the anchor leads in fresh images too (calibration counts are noisy:
0.8 left a question-only model +2.9 points over the per-type majority, 0.6 +2.0)."""
ANCHOR_LEAD = 2.0
"""... and the anchor at most this many times the runner-up's count (at least
1 / ANCHOR_MARGIN), so no asked text is (nearly) always answered the same; a kind may
say another with an ``anchor_lead`` attribute."""


def _anchored(seen: dict[str, int], flat: list[str], anchor: str, lead: float) -> dict[str, float]:
    """Acceptance of a text's answers such that ``anchor`` -- its type's majority answer --
    leads (each other answer kept at most ``ANCHOR_MARGIN`` times as often), by no more than
    ``lead`` times the runner-up, or 0 for a text of which it is not a flat answer.
    Flattening a name question's answers per text to equal shares leaves a leak: "What is
    the deer standing on?" is grass or beach half the time each, while most "standing on"
    questions are about a floor, so a question-only model knowing the text beats the
    per-type majority by 1/2 on it. With the same answer leading every asked text, knowing
    the text tells nothing the type does not."""
    if anchor not in flat:
        return dict.fromkeys(seen, 0.0)
    runner_up = max(
        (
            min(n, ANCHOR_MARGIN * seen[anchor])
            for a, n in seen.items()
            if a in flat and a != anchor
        ),
        default=float("inf"),  # the anchor alone (see ``calibrate``)
    )
    top = min(seen[anchor], lead * runner_up)
    rates = {a: min(1.0, ANCHOR_MARGIN * top / n) if n else 0.0 for a, n in seen.items()}
    rates[anchor] = top / seen[anchor]
    return rates


def _flatten(c: Counter[str], floor: float) -> tuple[dict[str, float], dict[str, float]]:
    """Acceptance per answer making the answers of ``c`` at least ``floor`` times as
    frequent as the top one equally likely (the rarer ones stay as they are), and the
    answer shares that leaves."""
    total = sum(c.values())
    q = {a: n / total for a, n in c.items()}
    top = max(q.values())
    level = min(v for v in q.values() if v >= floor * top)
    return {a: min(1.0, level / v) if v else 0.0 for a, v in q.items()}, {
        a: min(v, level) for a, v in q.items()
    }


Proposal = tuple[str, str, tuple[tuple[str, str, str], ...]]
"""(balance key, balance label, cues as (group, cue, outcome)) of one calibration proposal."""


def option_cues(qa: QA, names: list[str], group: str = "") -> list[tuple[str, str, str]]:
    """Cues of a question listing its options: each option's category, and whether it is
    the answer, within the group of questions with as many options. A category that wins
    (nearly) whenever it is offered -- trees are the most frequent, kites the highest -- is
    accepted less often when it wins and more when it loses (see ``balance._rake``), so
    the options' words do not tell which one it is."""
    options = qa.program["options"]
    k = f"{group}{len(options)}"
    return [
        (k, name, "win" if text == qa.answer else "lose")
        for name, text in zip(names, options, strict=True)
    ]


def word_cues(group: str, words: list[str], outcome: str) -> list[tuple[str, str, str]]:
    """Cues of a free-answer question: each slot word of the question with the answer,
    within the questions of its balance key (see ``balance._rake``)."""
    return [(group, w, outcome) for w in words]


def cue_id(group: str, cue: str) -> str:
    """The table row of a cue (rows of balance keys never start with ``CUE``)."""
    return f"{CUE}{group}{SEP}{cue}"


def _rake(
    proposals: list[Proposal],
    targets: dict[str, dict[str, float]],
    graphs: Sequence[int] | None = None,
    quantile: float = TOP_QUANTILE,
) -> Table:
    """Acceptance weights ``A[key][label] * prod B[cue][outcome]`` (iterative proportional
    fitting over the calibration proposals) such that, among accepted proposals, each
    key's labels follow the flattened ``targets`` and each cue's outcomes follow those of
    its group as a whole: a word in the question (a category among the options, the thing
    counted) then tells nothing about the answer that the question's type does not. Cues
    seen fewer than ``MIN_CUE`` times are not asked (their bias is unknown). A cue whose
    outcomes would need weighting over ``MAX_RATIO`` apart, or that stays off its group (it
    never loses: every other option is lower than a hospital), cannot be balanced: its
    weights are 0, so questions showing it are not asked, and the rest is raked again
    without them. Weights are scaled per key so the heaviest 1 % of the proposals are
    accepted for sure."""
    seen: Counter[str] = Counter(cue_id(gr, c) for _, _, cues in proposals for gr, c, _ in cues)
    if graphs is not None:
        # a cue shown in few graphs is too rare to tell however often those were asked
        shown: dict[str, set[int]] = {}
        for (_, _, cues), at in zip(proposals, graphs, strict=True):
            for gr, c, _ in cues:
                shown.setdefault(cue_id(gr, c), set()).add(at)
        seen = Counter({c: n for c, n in seen.items() if len(shown[c]) >= MIN_CUE_GRAPHS})
    outcomes = sorted({o for _, _, cues in proposals for _, _, o in cues})
    dropped = {c for c, need in _need(proposals).items() if need > MAX_RATIO and seen[c] >= MIN_CUE}
    for _ in range(3):
        cues = {c for c, n in seen.items() if n >= MIN_CUE} - dropped
        kept = [p for p in proposals if all(cue_id(gr, c) in cues for gr, c, _ in p[2])]
        a, b, off, weights = _fit(kept, targets, cues)
        bad = {c for c in b if off[c] > RAKE_TOLERANCE}
        if not bad:
            break
        dropped |= bad
    by_key: dict[str, list[float]] = {}
    for p, w in zip(kept, weights, strict=True):
        by_key.setdefault(p[0], []).append(float(w))
    top = {key: float(np.quantile(ws, quantile)) for key, ws in by_key.items()}
    table: Table = {
        key: {lab: v / top.get(key, 1.0) for lab, v in row.items()} for key, row in a.items()
    }
    table.update(b)
    for cid in dropped:
        table[cid] = dict.fromkeys(outcomes, 0.0)
    table[UNSEEN] = {"*": 0.0}  # too rare to tell: not offered either
    return table


def _need(proposals: list[Proposal]) -> dict[str, float]:
    """Per cue, how many times more often than now its rarest outcome would have to come
    for the cue to look like its group (outcomes it shows of at least 5 % in the group;
    one it never shows is left to the distance after raking)."""
    cue_counts: dict[str, Counter[str]] = {}
    group_counts: dict[str, Counter[str]] = {}
    for _, _, cues in proposals:
        for gr, c, o in cues:
            cue_counts.setdefault(cue_id(gr, c), Counter())[o] += 1
            group_counts.setdefault(gr, Counter())[o] += 1
    need: dict[str, float] = {}
    for cid, m in cue_counts.items():
        gm = group_counts[cid[len(CUE) :].split(SEP, 1)[0]]
        g_total, total = sum(gm.values()), sum(m.values())
        need[cid] = max(
            [(gm[o] / g_total) / (m[o] / total) for o in m if gm[o] >= 0.05 * g_total],
            default=1.0,
        )
    return need


def _fit(
    proposals: list[Proposal], targets: dict[str, dict[str, float]], cues: set[str]
) -> tuple[Table, Table, dict[str, float], np.ndarray]:
    """One raking (see :func:`_rake`): the factors A and B, each cue's remaining
    total-variation distance from its group's outcomes, and each proposal's weight."""
    kl = sorted({(k, lab) for k, t in targets.items() for lab in t})
    kl_index = {x: i for i, x in enumerate(kl)}
    key_names = sorted(targets)
    key_of = np.array([key_names.index(k) for k, _ in kl])
    want = np.array([targets[k][lab] for k, lab in kl])
    cells = sorted({(cue_id(gr, c), gr, o) for _, _, cs in proposals for gr, c, o in cs})
    cell_index = {(cid, o): i for i, (cid, _, o) in enumerate(cells)}
    groups = sorted({gr for _, gr, _ in cells})
    group_cell = sorted({(gr, o) for _, gr, o in cells})
    gc_index = {x: i for i, x in enumerate(group_cell)}
    cue_names = sorted({cid for cid, _, _ in cells})
    cue_of_cell = np.array([cue_names.index(cid) for cid, _, _ in cells])
    gc_of_cell = np.array([gc_index[(gr, o)] for _, gr, o in cells])
    group_of_gc = np.array([groups.index(gr) for gr, _ in group_cell])
    free = np.array([cid in cues for cid, _, _ in cells])
    n = len(proposals)
    p_kl = np.array([kl_index[(p[0], p[1])] for p in proposals])
    rows = np.array([i for i, p in enumerate(proposals) for _ in p[2]], dtype=np.int64)
    cols = np.array(
        [cell_index[(cue_id(gr, c), o)] for p in proposals for gr, c, o in p[2]], dtype=np.int64
    )
    log_a = np.zeros(len(kl))
    log_b = np.zeros(len(cells))
    cells_in_group = np.bincount(gc_of_cell, minlength=len(group_cell)) > 0
    assert cells_in_group.all()
    for _ in range(RAKE_ROUNDS):
        w = np.exp(log_a[p_kl] + np.bincount(rows, log_b[cols], minlength=n))
        m = np.bincount(p_kl, w, minlength=len(kl))
        key_total = np.bincount(key_of, m, minlength=len(key_names))
        key_want = np.bincount(key_of, want * (m > 0), minlength=len(key_names))
        ok = m > 0
        log_a[ok] += np.log(want[ok] / key_want[key_of[ok]] * key_total[key_of[ok]] / m[ok])
        w = np.exp(log_a[p_kl] + np.bincount(rows, log_b[cols], minlength=n))
        cell_mass = np.bincount(cols, w[rows], minlength=len(cells))
        cue_total = np.bincount(cue_of_cell, cell_mass, minlength=len(cue_names))
        gc_mass = np.bincount(gc_of_cell, cell_mass, minlength=len(group_cell))
        g_total = np.bincount(group_of_gc, gc_mass, minlength=len(groups))
        share = cell_mass / cue_total[cue_of_cell]
        g_share = gc_mass[gc_of_cell] / g_total[group_of_gc[gc_of_cell]]
        step = free & (cell_mass > 0)
        log_b[step] += np.log(g_share[step] / share[step])
        np.clip(log_b, -LOG_BOUND, LOG_BOUND, out=log_b)
    w = np.exp(log_a[p_kl] + np.bincount(rows, log_b[cols], minlength=n))
    # remaining distance of each cue from its group, over all the group's outcomes
    off: dict[str, float] = {}
    for cid in cues:
        mine = {cells[i][2]: share[i] for i in range(len(cells)) if cells[i][0] == cid}
        gr = cid[len(CUE) :].split(SEP, 1)[0]
        theirs = {
            o: gc_mass[gc_index[(g2, o)]] / g_total[groups.index(gr)]
            for g2, o in group_cell
            if g2 == gr
        }
        off[cid] = sum(abs(mine.get(o, 0.0) - v) for o, v in theirs.items()) / 2
    a: Table = {k: {} for k in targets}
    for (k, lab), v in zip(kl, np.exp(log_a), strict=True):
        a[k][lab] = float(v)
    b: Table = {}
    for (cid, _, o), v, f in zip(cells, np.exp(log_b), free, strict=True):
        if f:
            b.setdefault(cid, {})[o] = float(v)
    return a, b, off, w


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
        # open worlds' questions are flattened per question text too (see module doc)
        self._text = world is not None and not _is_shapes(world)
        # kind class -> (the table cache it was read from, its table): see _table
        self._fast: dict[type, tuple[dict, Table]] = {}

    def table(self, kind: QuestionKind) -> Table:
        cls = type(kind)
        if isinstance(kind, MultiImageKind):
            key = (cls.name, cls.version, self.source_key)
            if key not in _CACHE:
                _CACHE[key] = _cached(key, lambda: calibrate(kind, self.sets()))
        else:
            key = (cls.name, cls.version, self._world_key)
            if key not in _CACHE:
                # per-word cues and question texts need a larger sample (an open world's
                # many categories above all)
                text = self._text and text_balanced(kind)
                n = CUE_GRAPHS if hasattr(kind, "balance_cues") or text else None
                if n is not None and self._text:
                    # a kind whose word weights need more graphs to be right (see its
                    # ``cue_graphs``); the shapes world's tables stay as they are
                    n = getattr(kind, "cue_graphs", n)
                _CACHE[key] = _cached(
                    key, lambda: calibrate(kind, calibration_graphs(self.world, n), text)
                )
        return _CACHE[key]

    def accept(self, kind: QuestionKind, qa: QA, rng: np.random.Generator) -> bool:
        """Keep ``qa`` with its answer's acceptance probability (one draw from ``rng``),
        times its cues' weights for a kind with ``balance_cues``."""
        levels = text_levels(kind, qa) if self._text else ()
        if levels:
            table = self._table(kind)
            key, said = kind.balance_key(qa), text_label(kind, qa)
            for level, bucket in enumerate(levels):
                row = table.get(text_row(level, key, bucket))
                if row is not None:
                    return bool(rng.random() < row.get(said, 1.0))
            return False  # a text too rare to tell at every level: not asked
        if getattr(kind, "text_balance_only", False):
            return True  # balanced per text on open worlds only (no draw: same records)
        cues_of = getattr(kind, "balance_cues", None)
        if cues_of is None:
            return self.admit(kind, kind.balance_key(qa), kind.balance_label(qa), rng)
        table = self._table(kind)
        row = table.get(kind.balance_key(qa))
        p = 1.0 if row is None else row.get(kind.balance_label(qa), 1.0)
        unseen = table.get(UNSEEN, {}).get("*", 1.0)
        for group, cue, outcome in cues_of(qa):
            p *= table.get(cue_id(group, cue), {}).get(outcome, unseen)
        return bool(rng.random() < p)

    def admit(self, kind: QuestionKind, key: str, label: str, rng: np.random.Generator) -> bool:
        """Keep a proposal with balance ``key`` and ``label``? (a gate for gated kinds)"""
        row = self._table(kind).get(key)
        p = 1.0 if row is None else row.get(label, 1.0)
        return bool(rng.random() < p)

    def _table(self, kind: QuestionKind) -> Table:
        """:meth:`table`, remembered per kind class for :meth:`accept` and :meth:`admit`
        (a few per proposal) while the process's table cache is the same dict."""
        got = self._fast.get(type(kind))
        if got is not None and got[0] is _CACHE:
            return got[1]
        table = self.table(kind)
        self._fast[type(kind)] = (_CACHE, table)
        return table


_CACHE: dict[tuple[str, str, str], Table] = {}


def _is_shapes(world: BaseModel) -> bool:
    from synthgen.world import WorldConfig

    return isinstance(world, WorldConfig)


# --- the on-disk cache of tables -------------------------------------------------------------


def cache_dir() -> Path:
    """Where calibration tables are kept: synthgen's cache folder's ``calibration/``
    (:func:`synthgen.cachedir.cache_dir`)."""
    return shared_cache_dir("calibration")


@functools.cache
def code_fingerprint() -> str:
    """synthgen's version and a hash of its source and package data (.py, .toml and .json
    files of the synthgen, generators and prompts packages: the sprite atlas's colour names
    and categories are JSON; a few ms): a table cached by other code or data is never read."""
    import synthgen
    import synthgen.generators
    import synthgen.prompts

    h = hashlib.sha256(synthgen.__version__.encode())
    seen: set[Path] = set()
    for package in (synthgen, synthgen.generators, synthgen.prompts):
        root = Path(package.__file__).resolve().parent
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".toml", ".json") and path not in seen and path.is_file():
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
