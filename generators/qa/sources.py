"""Building the QA view of a graph from each source: the shapes world, VG files, and the
graphs of other registered worlds (their VG view plus the rendering's masks and depth order)."""

from __future__ import annotations

import dataclasses
import functools
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeVar

import numpy as np
from pydantic import BaseModel

from synthgen.generators.qa.graph import Lexicon, QAGraph, QObject, WorldFacts
from synthgen.generators.qa.templates import plural_only
from synthgen.records import listed_json
from synthgen.world.base import WorldRendering
from synthgen.world.graph import SceneGraph
from synthgen.world.vg import VGImage
from synthgen.world.vocab import COLORS, MATERIALS, SHAPES, SIZES

COLOR_WORDS = (*COLORS, "white", "black", "orange", "pink")
"""Colour words of imported and open-world graphs: the shapes world's and four more."""
MATERIAL_WORDS = (*MATERIALS, "wooden", "brick")
"""Material words of imported and open-world graphs."""

_TYPED = {
    **{c: "color" for c in COLOR_WORDS},
    **{m: "material" for m in MATERIAL_WORDS},
    **{s: "size" for s in SIZES},
}
"""Attribute word -> type for untyped (VG) attributes; other words stay under "other"."""

WORLD_VOCAB: dict[str, tuple[str, ...]] = {
    "name": SHAPES,
    "color": tuple(COLORS),
    "material": MATERIALS,
    "size": tuple(SIZES),
}
"""The procedural world's closed vocabulary: questions may name absent things."""


def from_scene_graph(
    graph: SceneGraph,
    ids: np.ndarray | None = None,
    depth_fn: Callable[[], np.ndarray] | None = None,
) -> QAGraph:
    """The world's exact graph: typed attributes, 3D, optional masks and (lazy) depth."""
    objects = [
        QObject(
            id=o.id,
            name=o.name,
            attrs=dict(o.attributes),
            bbox=o.bbox,
            centroid=o.centroid,
            distance=o.distance,
            position=o.position,
        )
        for o in graph.objects
    ]
    return QAGraph(
        width=graph.width,
        height=graph.height,
        objects=objects,
        ids=ids,
        depth_fn=depth_fn,
        source="svg",
        by_predicate=graph.relations_by_predicate,
        vocab=WORLD_VOCAB,
    )


def from_vg(image: VGImage) -> QAGraph:
    """A VG entry has names, untyped attributes, boxes and relations: no masks, depth or 3D."""
    objects = []
    for o in image.objects:
        objects.append(
            QObject(
                id=o.object_id,
                name=o.names[0].strip().lower(),
                attrs=_typed(o.attributes),
                bbox=(o.x, o.y, o.w, o.h),
                centroid=(o.x + o.w / 2, o.y + o.h / 2),
            )
        )
    relations = [
        (r.subject_id, r.predicate.strip().lower(), r.object_id) for r in image.relationships
    ]
    width = image.width or max((o.x + o.w for o in image.objects), default=1)
    height = image.height or max((o.y + o.h for o in image.objects), default=1)
    return QAGraph(width=width, height=height, objects=objects, relations=relations, source="vg")


def _typed(words: Iterable[str]) -> dict[str, str]:
    """Untyped (VG) attribute words -> attribute type -> word: each type's first word (colour,
    material, size; see :data:`_TYPED`), the other words under "other", sorted and joined."""
    attrs: dict[str, str] = {}
    other: list[str] = []
    for word in words:
        word = word.strip().lower()
        kind = _TYPED.get(word)
        if kind and kind not in attrs:
            attrs[kind] = word
        elif word:
            other.append(word)
    if other:
        attrs["other"] = ", ".join(sorted(set(other)))
    return attrs


def from_world_graph(
    vg: VGImage,
    rendering: WorldRendering,
    source: str,
    world_graph: Mapping[str, Any] | None = None,
    unnamed: Sequence[Thing | None] = (),
) -> QAGraph:
    """The graph of a registered world (``graph.to_vg()``) with what its rendering adds:
    the instance-id map as masks (point questions) when every object of the graph shows
    under its id there (the map may also hold things the graph left out), and the depth
    order as depth (which of two points is nearer): rank r of ``n`` becomes
    ``n + 1 - r``, far surfaces large, the backdrop +inf. Names and attributes are read as
    from a VG file (no closed vocabulary, so no shape or material questions unless the
    world's attribute words are those of the shapes world); ``source`` (the world's name)
    keeps the shapes world's answer balance and "too close to call" reading away.

    ``world_graph`` (the world's own graph as the record stores it) whose objects carry a
    ``category`` (and ``role``, ``group``; relationships a ``kind`` and ``rule``) makes the
    view read the names as a viewer of the image would (:func:`world_lexicon`): the graph
    of such a world names parts on only some wholes, things by generic words, and leaves
    out things too hidden to name, so only names whose every visible instance is in the
    graph are counted or used to refer, and a person's colour (its clothes') is not asked.
    ``unnamed``: the things the id map shows that the graph leaves out (None: unknown)."""
    view = from_vg(vg)
    things = _world_objects(world_graph)
    if things is not None:
        assert world_graph is not None
        scene_type = world_graph.get("scene_type")
        rows = _relation_rows(world_graph)
        words = world_words(source, things)
        boxes = _whole_boxes({o.id: o.bbox for o in view.objects}, things, rows)
        objects = []
        for o in view.objects:
            t = things.get(o.id)
            attrs = o.attrs if t is None else _shown_attrs(o.attrs, t, words)
            box = boxes.get(o.id)
            if box is not None:
                x, y, w, h = box
                o = dataclasses.replace(o, bbox=box, centroid=(x + w / 2, y + h / 2))
            if attrs is not o.attrs:
                o = dataclasses.replace(o, attrs=attrs)
            objects.append(o)
        ends = _unnamed_ends(
            (int(d["id"]), str(e["predicate"]), str(e["side"]))
            for d in world_graph["objects"]
            for e in listed_json(d.get("unnamed_partners"))
        )
        depths = {
            int(d["id"]): float(d["pos"][1])
            for d in world_graph["objects"]
            if isinstance(d.get("pos"), (list, tuple)) and len(d["pos"]) == 2
        }
        lexicon, facts = _reading(
            objects, things, rows, unnamed, words, scene_type, unnamed_ends=ends, depths=depths
        )
        view = dataclasses.replace(view, objects=objects, lexicon=lexicon, world=facts)
    maps = _maps(
        rendering, view.width, view.height, ((o.object_id, o.x, o.y, o.w, o.h) for o in vg.objects)
    )
    return dataclasses.replace(view, source=source, **maps)


def from_world_things(
    graph: Any, rendering: WorldRendering, source: str, unnamed: Sequence[Thing | None] = ()
) -> QAGraph:
    """:func:`from_world_graph` of ``graph.to_vg()`` and ``graph.to_dict()``, read straight
    from a graph whose objects carry their categories (:func:`reads_things`): the same view
    (equal objects, relations, lexicon and world facts, the same masks and depth), without
    building the VG model and the JSON dicts and reading them again."""
    objs = graph.objects
    rows: list[Row] = []
    part_rows: list[Row] = []  # the rows _whole_boxes reads
    relations = []
    opened: set[str] = set()  # _reading's open predicates and placed relations
    placed = []
    said = _PREDICATE_TEXT
    for r in graph.relationships:
        p = r.predicate
        q = said.get(p)
        if q is None:
            q = p.strip().lower()
            if len(said) < 10_000:
                said[p] = q
        s, o = int(r.subject_id), int(r.object_id)
        relations.append((s, q, o))
        kind, rule = r.kind, r.rule
        row = (s, q, o, kind, rule)
        rows.append(row)
        if _opens(kind, rule):
            opened.add(q)
        elif kind is not None:
            placed.append((s, q, o))
        if kind == "part":
            part_rows.append(row)
    bboxes: dict[int, tuple[int, int, int, int]] = {}
    things: dict[int, Thing] = {}
    partners: list[tuple[int, str, str]] = []  # its objects' unnamed_partners
    depths: dict[int, float] = {}  # the things' distances from the camera (metres)
    known = _THINGS
    for o in objs:  # each object's box and Thing (:func:`_thing`, its look-up inline)
        b = o.bbox
        i = int(o.id)
        more = getattr(o, "unnamed_partners", ())
        if more:
            partners += [(i, p, side) for p, side in more]
        pos = getattr(o, "pos", None)
        if pos is not None:
            depths[i] = float(pos[1])
        bboxes[i] = (int(b[0]), int(b[1]), int(b[2]), int(b[3]))
        names = o.names
        t = known.get((tuple(names), o.category, o.role, o.group))
        things[i] = t if t is not None else _thing(names, o.category, o.role, o.group)
    width = graph.width or max((x + w for x, _, w, _ in bboxes.values()), default=1)
    height = graph.height or max((y + h for _, y, _, h in bboxes.values()), default=1)
    maps = _maps(
        rendering,
        width,
        height,
        ((i, *b) for i, b in bboxes.items()),
        bool(getattr(graph, "boxes_hold_ids", False)),
    )
    if not objs:
        return QAGraph(
            width=width, height=height, objects=[], relations=relations, source=source, **maps
        )
    words = world_words(source, things)
    boxes = _whole_boxes(bboxes, things, part_rows)
    objects = []
    vary = words.colors_vary
    shown = _ATTRS
    new, set_ = object.__new__, object.__setattr__
    for o in objs:
        i = int(o.id)
        t = things[i]
        x, y, w, h = box = boxes.get(i) or bboxes[i]
        key = (tuple(o.attributes), t.category, t.group, vary)
        attrs = shown.get(key)
        if attrs is None:
            if len(shown) > 100_000:
                shown.clear()
            attrs = shown[key] = _shown_attrs(_typed(o.attributes), t, words)
        q = new(QObject)  # _qobject inline: the same fields, in field order
        set_(
            q,
            "__dict__",
            {
                "id": i,
                "name": t.names[0],
                "attrs": attrs,
                "bbox": box,
                "centroid": (x + w / 2, y + h / 2),
                "distance": None,
                "position": None,
            },
        )
        objects.append(q)
    lexicon, facts = _reading(
        objects,
        things,
        rows,
        unnamed,
        words,
        graph.scene_type,
        (opened, placed),
        _unnamed_ends(partners),
        depths,
    )
    return QAGraph(
        width=width,
        height=height,
        objects=objects,
        relations=relations,
        source=source,
        lexicon=lexicon,
        world=facts,
        **maps,
    )


_PREDICATE_TEXT: dict[str, str] = {}
"""A world's predicate -> stripped and lower-cased (a world says the same few dozen)."""


_ATTRS: dict[tuple[Any, ...], dict[str, str]] = {}
"""(attribute words, category, group, colours that vary) -> the attributes a thing so
described shows (:func:`_typed`, then :func:`_shown_attrs`, which reads no more of the
thing or the words than that): one dict per description, shared by the views' objects
(which no one changes: a :class:`QObject` is frozen, and kinds copy what they vary)."""


def _qobject(
    i: int,
    name: str,
    attrs: dict[str, str],
    box: tuple[int, int, int, int],
    centroid: tuple[float, float],
) -> QObject:
    """``QObject(id=i, name=name, attrs=attrs, bbox=box, centroid=centroid)``, without the
    frozen dataclass's ``__init__`` (an ``object.__setattr__`` per field): the same object."""
    o = object.__new__(QObject)
    o.__dict__.update(
        id=i, name=name, attrs=attrs, bbox=box, centroid=centroid, distance=None, position=None
    )
    return o


def _maps(
    rendering: WorldRendering,
    width: int,
    height: int,
    boxes: Iterable[tuple[int, int, int, int, int]],
    shown: bool = False,
) -> dict[str, Any]:
    """The view's masks and depth (``ids``, ``depth_fn``, ``depth_point``) from a world's
    rendering when every object ((id, x, y, w, h) in ``boxes``) shows under its id inside its
    box (``shown``: the graph says so, as a sprites graph does; not looked at), else none:
    the instance-id map as masks, and the depth order as depth (rank r of ``n`` becomes
    ``n + 1 - r``, far surfaces large, the backdrop +inf)."""
    ids = np.asarray(rendering.ids)
    if ids.shape != (height, width) or not (shown or _ids_show(ids, boxes)):
        return {}
    order = np.asarray(rendering.depth_order)
    top: list[float] = []

    def highest() -> float:
        if not top:
            top.append(float(order.max()) if order.size else 0.0)
        return top[0]

    def depth() -> np.ndarray:
        return np.where(order > 0, highest() + 1 - order.astype(np.float32), np.inf).astype(
            np.float32
        )

    def depth_point(x: int, y: int) -> float:
        r = int(order[y, x])  # the map's value at one pixel, without building the map
        return float(np.float32(highest() + 1 - r)) if r > 0 else float("inf")

    return {"ids": ids, "depth_fn": depth, "depth_point": depth_point}


def world_view(
    world: Any,
    scene: Any,
    rendering: WorldRendering,
    graph: Any,
    pixels: np.ndarray | None = None,
    vg: VGImage | None = None,
    graph_json: Mapping[str, Any] | None = None,
) -> QAGraph:
    """The QA view of a registered world's scene (any world but shapes, through the
    generic World API): what :func:`from_world_graph` makes of the graph's VG view, its own
    graph (:func:`world_graph_json`), the rendering's masks and depth order, and the things
    the id map shows that the graph leaves out (:func:`unnamed_things`). A graph whose
    objects carry their categories (:func:`reads_things`: the sprites world's) is read
    straight from its objects and relations (:func:`from_world_things`: the same view,
    without the VG model and JSON dicts in between). ``pixels`` (the id map's bincount),
    ``vg`` and ``graph_json``: when the caller has them already."""
    if pixels is None:
        pixels = id_pixel_counts(graph, rendering)
    if vg is None and reads_things(graph):
        named = [o.id for o in graph.objects]
        return from_world_things(graph, rendering, world.name, unnamed_things(scene, pixels, named))
    if vg is None:
        vg = graph.to_vg()
    if graph_json is None:
        graph_json = world_graph_json(graph, vg)
    return from_world_graph(
        vg, rendering, world.name, graph_json, unnamed_things(scene, pixels, vg)
    )


def world_object_ids(graph: Any) -> tuple[list[int], VGImage | None]:
    """The ids of a registered world's graph's objects, and its VG view (``graph.to_vg()``)
    unless :func:`world_view` reads the graph directly (None then)."""
    if reads_things(graph):
        return [o.id for o in graph.objects], None
    vg = graph.to_vg()
    return [o.object_id for o in vg.objects], vg


def reads_things(graph: Any) -> bool:
    """Whether :func:`from_world_things` reads ``graph`` directly: its ``objects`` carry
    ``id``, ``names``, ``attributes``, ``bbox`` (x, y, w, h), ``category``, ``role`` and
    ``group``, its ``relationships`` ``subject_id``, ``predicate``, ``object_id``,
    ``kind`` and ``rule``, and it has ``scene_type``, ``width``, ``height`` and
    ``to_dict()`` (the record's graph, whose objects and relationships say the same), as
    the sprites world's ``SpriteGraph``. Its ``to_vg()`` is then the VG view of the same
    objects and relations, in the same order."""
    objects = getattr(graph, "objects", None)
    relations = getattr(graph, "relationships", None)
    if not isinstance(objects, list) or not isinstance(relations, list):
        return False
    if not all(hasattr(graph, a) for a in ("scene_type", "width", "height", "to_dict")):
        return False
    return all(hasattr(o, a) for o in objects[:1] for a in _THING_FIELDS) and all(
        hasattr(r, a) for r in relations[:1] for a in _RELATION_FIELDS
    )


_THING_FIELDS = ("id", "names", "attributes", "bbox", "category", "role", "group")
_RELATION_FIELDS = ("subject_id", "predicate", "object_id", "kind", "rule")


def id_pixel_counts(graph: Any, rendering: WorldRendering) -> np.ndarray:
    """Pixels of each id in the rendering's id map (its bincount): the graph's own
    ``pixel_counts`` when its world counted them while building it (sprites do), else
    counted here (a third of a millisecond per 448 x 336 map)."""
    counts = getattr(graph, "pixel_counts", None)
    if counts is not None:
        return np.asarray(counts)
    return np.bincount(np.asarray(rendering.ids, dtype=np.int64).ravel())


def world_graph_json(graph: Any, vg: VGImage | None = None) -> dict[str, Any]:
    """A world's graph as a record stores it: its own ``to_dict()`` or, for a pydantic
    graph, its JSON; else its VG view (``vg``, or ``graph.to_vg()``)."""
    if callable(getattr(graph, "to_dict", None)):
        return graph.to_dict()
    model = graph if isinstance(graph, BaseModel) else vg if vg is not None else graph.to_vg()
    return model.model_dump(mode="json")


def unnamed_things(
    scene: Any, pixels: np.ndarray, vg: VGImage | Iterable[int]
) -> list[Thing | None]:
    """The things the id map shows (``pixels``, its bincount: a pixel or more) that the
    graph (``vg``, or the ids of its objects) leaves out (too hidden to name): each as the
    scene describes it when its objects carry ``oid``, ``name`` and ``category`` (the
    sprites world's do), else None (a thing of unknown kind)."""
    named = {o.object_id for o in vg.objects} if isinstance(vg, VGImage) else set(vg)
    hidden = [i for i in np.flatnonzero(pixels).tolist() if i != 0 and i not in named]
    if not hidden:
        return []
    wanted = set(hidden)
    by_id: dict[int, Any] = {}
    for o in getattr(scene, "objects", None) or ():
        oid = getattr(o, "oid", None)
        if oid in wanted and isinstance(oid, int) and hasattr(o, "name") and hasattr(o, "category"):
            by_id[oid] = o
    out: list[Thing | None] = []
    for i in hidden:
        o = by_id.get(i)
        if o is None:
            out.append(None)
            continue
        names = (o.name, *getattr(o, "alt", ()))
        out.append(_thing(names, o.category, getattr(o, "role", "thing"), getattr(o, "group", "")))
    return out


@dataclass(frozen=True)
class Thing:
    """Something the image shows: its names (first the name), category and role
    ("thing", "part" of another thing, "backdrop" piece)."""

    names: tuple[str, ...]
    category: str
    role: str = "thing"
    group: str = ""

    @classmethod
    def of(cls, names: Sequence[Any], category: Any, role: Any = "thing", group: Any = "") -> Thing:
        """A thing as a world describes it: names stripped and lower-cased, all as text."""
        return cls(
            tuple(str(n).strip().lower() for n in names), str(category), str(role), str(group)
        )


def _thing(names: Sequence[str], category: str, role: str, group: str) -> Thing:
    """``Thing.of``, one shared instance per description (a world draws the same kinds
    over and over: the instance is built once, and its word sets are found by identity)."""
    key = (tuple(names), category, role, group)
    got = _THINGS.get(key)
    if got is None:
        if len(_THINGS) > 100_000:
            _THINGS.clear()
        got = _THINGS[key] = Thing.of(names, category, role, group)
    return got


_THINGS: dict[tuple[Any, ...], Thing] = {}


@dataclass(frozen=True)
class WorldWords:
    """A world's word knowledge: ``general[c]``: words that hold for every thing of
    category ``c`` (hypernyms: "animal" for a dog; "person" for a boy); ``specific[c]``:
    words for the kind itself ("dog", "puppy"), which a thing of ``c`` named otherwise (a
    boy drawn as a man) may or may not be called; ``parts``: words the world uses for parts
    of things, which it names on only some of them (never counted)."""

    general: Mapping[str, frozenset[str]]
    specific: Mapping[str, frozenset[str]]
    parts: frozenset[str]
    refines: Mapping[str, frozenset[str]] = dataclasses.field(default_factory=dict)
    """category -> words of narrower kinds ("man", "woman" for "person"), and question
    words in doubt for it ("vehicle" for a bicycle, "food" for a drink): a thing of the
    category may or may not be called so (MAYBE)."""
    questions: tuple[str, ...] = ()
    """Generic words (hypernyms) questions may count or look for: "animal", "vehicle"."""
    siblings: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    """word -> words of other categories of the same kind (multiple-choice distractors)."""
    scene_types: tuple[str, ...] = ()
    """The scene types the world draws."""
    colors_vary: frozenset[str] | None = None
    """Categories the world draws in several colours (None: unknown, all may vary). The
    colour of a thing of any other category is its name's (grass is green, snow white): it
    is not asked or used to refer, since the question would give its answer away."""
    palette: Mapping[str, Mapping[str, float]] = dataclasses.field(default_factory=dict)
    """Category -> colour -> share of the category's things the world draws in it (the
    colours a bee can have in this world: yellow 0.5, purple 0.5). Colour questions about
    real things offer these as options and flatten over them (see ``attributes``)."""
    scene_evidence: Mapping[str, frozenset[str]] = dataclasses.field(default_factory=dict)
    """Evidence key (a category; a ground piece's category with ``@ground``) -> the scene
    types the world shows it in (:mod:`synthgen.world.scene_evidence`): the scene
    type is asked only when what shows rules out every other one."""


YES, MAYBE, NO = 2, 1, 0


def denotes(word: str, thing: Thing, words: WorldWords) -> int:
    """Whether ``word`` names ``thing`` to a viewer: YES, NO, or MAYBE (a backdrop piece
    or part that goes by it, a child of a category whose word it is, a question word in
    doubt for its kind)."""
    yes, maybe = _word_sets(thing, words)
    return YES if word in yes else MAYBE if word in maybe else NO


def _word_sets(thing: Thing, words: WorldWords) -> tuple[frozenset[str], frozenset[str]]:
    """The words that name ``thing`` (YES) and those that may (MAYBE), once per thing and
    word knowledge (a lexicon asks about every word of the graph)."""
    # keyed by the word tables' identity: a world's tables live as long as the process
    # (functools.cache), and parts (which differ between graphs) play no part here
    seen = _SETS_BY_ID.get(id(thing))
    if seen is not None and seen[0] is thing and seen[1] is words.general:
        return seen[2]  # the instance seen last time (ids are unique while it is kept here)
    key = (id(words.general), thing)
    got = _SETS.get(key)
    if got is not None:
        _remember_sets(thing, words, got)
        return got
    if thing.role != "thing":
        got = (frozenset(), frozenset({*thing.names, thing.category}))
    else:
        general = words.general.get(thing.category, frozenset())
        specific = words.specific.get(thing.category, frozenset()) | {thing.category}
        refines = words.refines.get(thing.category, frozenset())
        # named by a word of its kind (or a hypernym): the kind's words hold; named
        # otherwise ("boy" for a man's sprite): they may not
        own = thing.names[0] in specific | general
        yes = set(thing.names) | general | (specific - refines if own else set())
        maybe = (refines | (set() if own else specific)) - yes
        got = (frozenset(yes), frozenset(maybe))
    if len(_SETS) > 100_000:
        _SETS.clear()
    _SETS[key] = got
    _remember_sets(thing, words, got)
    return got


_SETS: dict[tuple[int, Thing], tuple[frozenset[str], frozenset[str]]] = {}

_SETS_BY_ID: dict[int, tuple[Thing, Any, tuple[frozenset[str], frozenset[str]]]] = {}
"""id(thing) -> (the thing, its word tables, :func:`_word_sets`): found without hashing
the thing (a dataclass hash of its four fields on every look-up); the thing is kept, so
its id stays its own while the entry lives, and the entry is used only for that very
instance and tables (the shared instances of :func:`_thing` are looked up every time)."""


def _remember_sets(
    thing: Thing, words: WorldWords, got: tuple[frozenset[str], frozenset[str]]
) -> None:
    if len(_SETS_BY_ID) > 100_000:
        _SETS_BY_ID.clear()
    _SETS_BY_ID[id(thing)] = (thing, words.general, got)


def world_lexicon(
    things: Mapping[int, Thing],
    names: Mapping[int, str],
    unnamed: Sequence[Thing | None],
    words: WorldWords,
    open_predicates: frozenset[str],
) -> Lexicon:
    """Which names of the graph refer and count (see :class:`Lexicon`). ``things``: the
    graph's objects by id; ``names``: the name each is asked by; ``unnamed``: visible
    things the graph leaves out (None: a thing of unknown kind).

    A name refers when no part word, nothing unnamed and nothing in doubt (MAYBE) answers
    to it; its members are the things it denotes. A thing's name is counted when it refers,
    is said of things only (a backdrop piece named alone, like "sky", refers but is not
    counted) and is not plural in form (one drawing of skis or grapes is not "1 skis")."""
    members: dict[str, tuple[int, ...]] = {}
    countable: set[str] = set()
    unknown = any(t is None for t in unnamed)
    if unknown:
        return Lexicon(members={}, countable=frozenset(), open_predicates=open_predicates)
    # every word any unnamed thing may go by, and each named thing's YES / MAYBE words
    hidden: set[str] = set()
    for t in unnamed:
        if t:
            a, b = _word_sets(t, words)
            hidden |= a
            hidden |= b
    said = set(hidden)
    # word -> the things it names (YES) and those in doubt for it (MAYBE), for the words
    # asked about below (a thing's YES and MAYBE sets are disjoint: see _word_sets)
    asked = set(words.questions)
    asked.update(names.values())
    yes: dict[str, list[int]] = {}
    maybe: dict[str, list[int]] = {}
    for i, t in things.items():
        y, m = _word_sets(t, words)
        said |= y
        said |= m
        for found, into in ((y & asked, yes), (m & asked, maybe)):  # a few words of many
            for word in found:
                got = into.get(word)
                if got is None:
                    into[word] = [i]
                else:
                    got.append(i)
    general: dict[str, tuple[int, ...]] = {}
    for word in words.questions:
        # a question word counts when no thing, named or not, is in doubt for it
        if word not in hidden and word not in maybe:
            general[word] = tuple(sorted(yes.get(word, ())))
    by_name: dict[str, list[int]] = {}  # name -> the ids named so, in ``names`` order
    for i, name in names.items():
        got = by_name.get(name)
        if got is None:
            by_name[name] = [i]
        else:
            got.append(i)
    for name in sorted(by_name):
        if name in words.parts or name in hidden:
            continue
        if name in maybe:
            named = by_name[name]
            if (
                len(named) == 1
                and {*yes.get(name, ()), *maybe[name]} <= {named[0]}
                and things[named[0]].role == "backdrop"
            ):
                members[name] = (named[0],)  # the sky, the one wall: refers, not counted
            continue
        members[name] = tuple(sorted(yes.get(name, ())))
        if not plural_only(name):  # "skis", "grapes": one drawing of a pair or a bunch
            countable.add(name)
    return _frozen(
        Lexicon,
        members=members,
        countable=frozenset(countable),
        open_predicates=open_predicates,
        counts_attributes=False,
        general=general,
        said=frozenset(said),
    )


_F = TypeVar("_F")


def _frozen(cls: type[_F], **fields: Any) -> _F:
    """``cls(**fields)`` of a frozen dataclass given every field in order, without its
    ``__init__`` (an ``object.__setattr__`` per field): the same object."""
    out = object.__new__(cls)
    out.__dict__.update(fields)
    return out


def _world_objects(world_graph: Mapping[str, Any] | None) -> dict[int, Thing] | None:
    """The world graph's objects as :class:`Thing`, when they carry categories."""
    if not world_graph:
        return None
    objects = world_graph.get("objects")
    if not isinstance(objects, list) or not objects:
        return None
    if not all(isinstance(o, Mapping) and "category" in o for o in objects):
        return None
    return {
        int(o["id"]): Thing.of(
            o.get("names", ()), o["category"], o.get("role", "thing"), o.get("group", "")
        )
        for o in objects
    }


Row = tuple[int, str, int, "str | None", "str | None"]
"""A world graph's relation as the view reads it: (subject id, predicate stripped and
lower-cased, object id, kind, rule)."""


def _relation_rows(world_graph: Mapping[str, Any]) -> list[Row]:
    """The relationships of a world graph stored as JSON (``world_graph_json``) as rows."""
    return [
        (
            int(r.get("subject_id", 0)),
            str(r.get("predicate", "")).strip().lower(),
            int(r.get("object_id", 0)),
            r.get("kind"),
            r.get("rule"),
        )
        for r in world_graph.get("relationships", ())
        if isinstance(r, Mapping)
    ]


def _shown_attrs(attrs: dict[str, str], t: Thing, words: WorldWords) -> dict[str, str]:
    """``attrs`` without a person's colour (its sprite's colour is its clothes': "gray
    woman" reads wrong), nor the colour of a thing whose kind always has its colour (green
    grass: :attr:`WorldWords.colors_vary`), nor materials in a world that knows which
    kinds vary (wooden floors, metal railings, brick walls: the name would answer). The
    same dict when nothing is left out."""
    vary = words.colors_vary
    color = "color" in attrs and (
        t.group == "person" or (vary is not None and t.category not in vary)
    )
    material = vary is not None and "material" in attrs
    if not (color or material):
        return attrs
    drop = {k for k, gone in (("color", color), ("material", material)) if gone}
    return {k: v for k, v in attrs.items() if k not in drop}


def _reading(
    objects: Sequence[QObject],
    things: Mapping[int, Thing],
    rows: Sequence[Row],
    unnamed: Sequence[Thing | None],
    words: WorldWords,
    scene_type: Any,
    split: tuple[set[str], list[tuple[int, str, int]]] | None = None,
    unnamed_ends: frozenset[tuple[int, str, int]] = frozenset(),
    depths: Mapping[int, float] | None = None,
) -> tuple[Lexicon, WorldFacts]:
    """A world graph's :class:`Lexicon` (which of its names refer and count, the names as
    a viewer of the image reads them) and :class:`WorldFacts`: scene type, categories,
    roles and the relations placed by a rule (every relation but the geometric and
    facing-cone ones, which the graph states for some pairs only: open predicates)."""
    # open: the geometric and facing-cone predicates; closed: the relations placed by a
    # rule (every other one with a kind); ``split``: both, when the caller found them in
    # its own pass over the rows
    if split is not None:
        opened, placed = split
    else:
        opened = set()
        placed = []
        for s, p, o, kind, rule in rows:
            if _opens(kind, rule):
                opened.add(p)
            elif kind is not None:
                placed.append((s, p, o))
    open_predicates = frozenset(opened)
    closed = frozenset(placed)
    names = {o.id: o.name for o in objects if o.id in things}
    # the things named (all of them, in their order, when every object is a thing)
    named = things if len(names) == len(things) else {i: t for i, t in things.items() if i in names}
    lexicon = world_lexicon(named, names, unnamed, words, open_predicates)
    category: dict[int, str] = {}
    group: dict[int, str] = {}
    role: dict[int, str] = {}
    for i, t in things.items():
        category[i] = t.category
        group[i] = t.group
        role[i] = t.role
    facts = _frozen(
        WorldFacts,
        scene_type=str(scene_type) if scene_type else None,
        scene_types=words.scene_types,
        category=category,
        group=group,
        role=role,
        closed=closed,
        words=words.questions,
        siblings=words.siblings,
        parts=_sorted_parts(words.parts),
        palette=words.palette,
        unnamed=unnamed_ends,
        scene_evidence=words.scene_evidence,
        depth=depths or {},
    )
    return lexicon, facts


def _unnamed_ends(partners: Iterable[tuple[int, str, str]]) -> frozenset[tuple[int, str, int]]:
    """(object id, predicate, side) of a graph's ``unnamed_partners`` as triples with 0 at
    the unnamed end (:attr:`WorldFacts.unnamed`), predicates read as the rows'."""
    out = set()
    for i, p, side in partners:
        q = p.strip().lower()
        out.add((0, q, i) if side == "subject" else (i, q, 0))
    return frozenset(out)


def _opens(kind: str | None, rule: str | None) -> bool:
    """Whether a relation's predicate is open (stated for some pairs only: the geometric
    and facing-cone ones), not placed by a rule."""
    return kind == "geometric" or rule == "facing-cone"


def _sorted_parts(parts: frozenset[str]) -> tuple[str, ...]:
    """``tuple(sorted(parts))``, once per set of part words (a world's, or a graph's
    with its own parts)."""
    got = _PARTS.get(parts)
    if got is None:
        if len(_PARTS) > 10_000:
            _PARTS.clear()
        got = _PARTS[parts] = tuple(sorted(parts))
    return got


_PARTS: dict[frozenset[str], tuple[str, ...]] = {}


def _whole_boxes(
    boxes: Mapping[int, tuple[int, int, int, int]], things: Mapping[int, Thing], rows: Sequence[Row]
) -> dict[int, tuple[int, int, int, int]]:
    """id -> the box of a thing and the parts tied to it by a part relation (``part of``,
    ``has``, ...), for things whose box (``boxes``: id -> x, y, w, h) leaves such a part
    out."""
    out: dict[int, tuple[int, int, int, int]] = {}
    for a, _, b, kind, _ in rows:
        if kind != "part":
            continue
        ta, tb = things.get(a), things.get(b)
        if ta is None or tb is None or a not in boxes or b not in boxes:
            continue
        whole, part = (a, b) if tb.role == "part" and ta.role == "thing" else (b, a)
        if things[part].role != "part" or things[whole].role != "thing":
            continue
        x, y, w, h = out.get(whole, boxes[whole])
        px, py, pw, ph = boxes[part]
        x1, y1 = max(x + w, px + pw), max(y + h, py + ph)
        x0, y0 = min(x, px), min(y, py)
        out[whole] = (x0, y0, x1 - x0, y1 - y0)
    return {i: b for i, b in out.items() if b != boxes[i]}


def world_words(source: str, things: Mapping[int, Thing] = MappingProxyType({})) -> WorldWords:
    """The word knowledge of world ``source`` (the sprites world's atlas and grammar), plus
    the part names of this graph; a world without any: the parts only."""
    base = _WORLD_WORDS.get(source)
    known = base() if base is not None else WorldWords({}, {}, frozenset())
    parts = frozenset(n for t in things.values() if t.role == "part" for n in t.names)
    if parts <= known.parts:
        return known
    return dataclasses.replace(known, parts=known.parts | parts)


QUESTION_WORDS: dict[str, tuple[str, ...]] = {
    "animal": ("drumstick", "coral"),
    "bird": ("drumstick",),
    "insect": (),
    "person": (),
    "vehicle": ("bicycle", "kick scooter", "wheel", "sled", "balloon", "rocket", "canoe"),
    "fruit": ("peanut", "chestnut", "avocado"),
    "vegetable": ("french fries",),
    "food": ("coffee", "wine", "cocktail", "tropical drink", "beer", "soda", "bubble tea",
             "milk", "juice box", "drumstick", "bowl"),
    "building": (),
    "ball": (),
    "musical instrument": (),
}  # fmt: skip
"""Generic words questions count and look for ("How many animals are there?"), each with
the categories a viewer may or may not call so (a bicycle "a vehicle", a drink "food"),
which make the word uncounted in an image that shows one."""

ART_SHOWS: dict[str, tuple[str, ...]] = {
    "astronaut": ("helmet",),
    "bride": ("bouquet", "flower"),
    "chef": ("hat", "spoon", "food"),
    "climber": ("helmet",),
    "construction worker": ("helmet", "hat"),
    "cyclist": ("bicycle", "helmet"),
    "dancer": ("dress",),
    "detective": ("hat", "magnifying glass"),
    "doctor": ("stethoscope", "lab coat"),
    "farmer": ("hat",),
    "firefighter": ("helmet", "hat"),
    "groom": ("tie",),
    "guard": ("hat",),
    "jockey": ("horse", "helmet"),
    "judge": ("hammer",),
    "juggler": ("hat", "ball"),
    "mage": ("hat",),
    "mechanic": ("cap", "hat", "wrench"),
    "painter": ("paintbrush",),
    "pilot": ("cap", "hat"),
    "player": ("ball", "basketball", "volleyball"),
    "police officer": ("cap", "hat"),
    "prince": ("crown",),
    "princess": ("crown",),
    "rower": ("boat",),
    "scientist": ("goggles", "test tube", "lab coat"),
    "singer": ("microphone",),
    "skier": ("skis", "helmet", "goggles"),
    "snowboarder": ("helmet", "goggles"),
    "student": ("graduation cap", "hat"),
    "swimmer": ("goggles",),
    "teacher": ("book", "glasses"),
    "snowman": ("hat", "scarf"),
}  # fmt: skip
"""Things a category's art draws with it (looked at in both styles, stop 28): the jockey's
horse, the cyclist's bicycle, the snowman's top hat, the chef's hat and pan. A person sees
them, the graph does not name them, so their words (and the question words over them: a
horse is an "animal") are in doubt in an image that shows such a thing: "How many horses"
is not asked beside a jockey, nor "Which image has no hat?" beside a snowman."""


@functools.cache
def _sprites_words() -> WorldWords:
    from synthgen.world.scene_evidence import load_scene_evidence
    from synthgen.world.sprites import grammar, tables
    from synthgen.world.sprites.backdrop import SCENE_TYPES
    from synthgen.world.sprites.structures import SPRITE_PART_NAMES, STRUCTURES, geom

    general: dict[str, frozenset[str]] = {}
    specific: dict[str, frozenset[str]] = {}
    question_words = frozenset(QUESTION_WORDS)
    doubt = {
        c: {w for w, cs in QUESTION_WORDS.items() if c in cs}
        for cs in QUESTION_WORDS.values()
        for c in cs
    }
    shipped = tables("emoji")  # the process's own atlas and tables, not a second copy
    atlas = shipped.atlas
    for c in atlas.categories.values():
        own = {c.name, c.plural, *c.synonyms}
        alias = grammar.NAME_AS.get(c.name)
        if alias is not None:
            own.add(alias[0])
        hyper = set(c.hypernyms) - own
        hyper |= {grammar.GENERIC_WORD[h] for h in c.hypernyms if h in grammar.GENERIC_WORD}
        if c.group == "person":
            hyper |= {"person", "people"}
        general[c.name] = frozenset(hyper - doubt.get(c.name, set()))
        specific[c.name] = frozenset(own - hyper)
    refines: dict[str, set[str]] = {c: set(ws) for c, ws in doubt.items()}
    for name, hyper in general.items():
        for h in hyper:
            if h in specific and h != name:
                refines.setdefault(h, set()).update(specific[name])
    for name, drawn in ART_SHOWS.items():  # what the art shows beside the thing
        shown = refines.setdefault(name, set())
        for w in drawn:
            shown |= {w, *specific.get(w, ()), *(general.get(w, frozenset()) & question_words)}
            shown |= doubt.get(w, set())  # a bicycle may be called a vehicle
    parts = {"tire" if n == "tire2" else n for n in SPRITE_PART_NAMES} | {"wheel"}
    for kind in STRUCTURES:
        for variant in range(4):
            for w, h in ((120, 80), (60, 120)):
                parts |= {p.name for p in geom(kind, w, h, variant).parts[1:]}
    palette = _palette(shipped)
    return WorldWords(
        general,
        specific,
        frozenset(parts),
        {k: frozenset(v) for k, v in refines.items()},
        tuple(QUESTION_WORDS),
        _siblings(atlas.categories.values()),
        tuple(SCENE_TYPES),
        frozenset(c for c, v in palette.items() if len(v) >= 2 and max(v.values()) <= 0.6),
        palette,
        load_scene_evidence(),
    )


def _palette(t: Any) -> dict[str, dict[str, float]]:
    """Category -> colour -> share of the sprites the scene grammar draws for it: a
    poseless draw picks uniformly among the category's plain sprites (a book's pose ""
    ones, all red: the green and blue books of other poses are never drawn), so those set
    the shares. Categories whose shares are near even (:attr:`WorldWords.colors_vary`:
    two colours or more, none over 60 %) are the ones a colour question is asked about (a
    car drawn red three times in four is "red" to a model that never looks). Only art a
    person names by one colour counts (:func:`~synthgen.world.sprites.colours.named_colour`:
    the others carry no colour attribute)."""
    from synthgen.world.sprites.colours import named_colour
    from synthgen.world.sprites.scene import _plain_sprites

    out: dict[str, dict[str, float]] = {}
    for c in t.atlas.categories:
        colors = Counter(named_colour(s) for s in _plain_sprites(t, c))
        colors.pop("", None)  # art with no one colour is not asked about
        total = sum(colors.values())
        if total:
            out[c] = {k: v / total for k, v in sorted(colors.items())}
    return out


def _siblings(categories: Any) -> dict[str, tuple[str, ...]]:
    """Category name -> names of the other categories that share its group and the
    hypernym below the group's ("mammal" for a dog: other mammals), or its group when too
    few do: a cat's distractors are animals, not forks. Never a word the thing also goes
    by: no hypernym or hyponym of it ("person" for a man), no phrase ending in its name or
    the other way round ("old man"). Question words get each other."""
    cats = list(categories)
    by_key: dict[tuple[str, ...], list[str]] = {}
    for c in cats:
        by_key.setdefault((c.group,), []).append(c.name)
        if len(c.hypernyms) > 2:
            by_key.setdefault((c.group, c.hypernyms[1]), []).append(c.name)
    hyper = {c.name: set(c.hypernyms) for c in cats}

    def related(a: str, b: str) -> bool:
        return (
            a in hyper.get(b, ())
            or b in hyper.get(a, ())
            or a.endswith(" " + b)
            or b.endswith(" " + a)
        )

    out: dict[str, tuple[str, ...]] = {}
    for c in cats:
        near = by_key.get((c.group, c.hypernyms[1]), []) if len(c.hypernyms) > 2 else []
        pool = near if len(near) >= 4 else by_key[(c.group,)]
        out[c.name] = tuple(sorted(n for n in pool if n != c.name and not related(c.name, n)))
    words = sorted(QUESTION_WORDS)
    for w in words:
        out.setdefault(w, tuple(x for x in words if x != w))
    return out


_WORLD_WORDS: dict[str, Callable[[], WorldWords]] = {"sprites": _sprites_words}
"""World name -> its word knowledge (built on first use)."""


def _ids_show(ids: np.ndarray, boxes: Iterable[tuple[int, int, int, int, int]]) -> bool:
    """Whether every object ((id, x, y, w, h) of ``boxes``) has pixels under its id, inside
    its box. The box's top row is looked at first (the box of visible pixels has one
    there), the whole box only when it has none. For an integer map the row is searched
    as bytes (the id's bytes at a whole-pixel offset): a third of numpy's ``==`` and
    ``any`` for a row."""
    height = ids.shape[0]
    dtype = ids.dtype
    size = dtype.itemsize
    big = dtype.byteorder == ">" or (dtype.byteorder in "=|" and not _LITTLE)
    order = "big" if big else "little"
    limit = 1 << (8 * size - (dtype.kind == "i")) if dtype.kind in "ui" else 0
    for oid, x, y, w, h in boxes:
        if oid <= 0:
            return False
        if 0 <= y < height and h > 0:
            if oid < limit:
                row = ids[y, x : x + w].tobytes()
                pattern = oid.to_bytes(size, order)
                i = row.find(pattern)
                while i > 0 and i % size:  # a match across two pixels: look on
                    i = row.find(pattern, i + 1)
                if i >= 0:
                    continue
            elif (ids[y, x : x + w] == oid).any():
                continue
        if not (ids[y : y + h, x : x + w] == oid).any():
            return False
    return True


_LITTLE = sys.byteorder == "little"
