"""The scene graph as question programs see it: a small, fast, source-neutral view.

Both sources build one: the procedural world (typed attributes, 3D positions, exact masks and
depth, a closed vocabulary) and imported Visual Genome graphs (names, untyped attributes,
boxes, relations; no depth, no masks). Question kinds declare what they need (``requires``)
and are skipped, and counted as skipped, when a graph lacks it.

Everything kinds look up more than once per graph (predicate pair sets, unique referring
expressions, name counts) is a cached property, so eight questions on one graph share the
work: the svg recipe's whole QA budget is a few tenths of a millisecond per image.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, Any

import numpy as np

from synthgen.generators.qa.templates import is_mass

if TYPE_CHECKING:
    from functools import cached_property
else:

    class cached_property:
        """``functools.cached_property`` without its lock (Python 3.11 takes one lock per
        property, shared by all instances, on every first access: a dozen times per
        view). A view is read by one thread; a value computed twice would be equal."""

        def __init__(self, func: Callable[[Any], Any]) -> None:
            self.func = func
            self.name = func.__name__
            self.__doc__ = func.__doc__

        def __set_name__(self, owner: type, name: str) -> None:
            self.name = name

        def __get__(self, obj: Any, owner: type | None = None) -> Any:
            if obj is None:
                return self
            value = obj.__dict__[self.name] = self.func(obj)
            return value


ATTRIBUTE_TYPES = ("color", "material", "size")
"""Attribute types of the procedural world, in the order descriptions use them."""

DESCRIBE_ORDER = ("size", "color", "material")
"""Word order of attributes in a noun phrase: ``large red metal cube``."""

OPPOSITE = {
    "left of": "right of",
    "right of": "left of",
    "in front of": "behind",
    "behind": "in front of",
    "bigger than": "smaller than",
    "smaller than": "bigger than",
    "closer than": "farther than",
    "farther than": "closer than",
}
"""Predicates whose truth is decided both ways in the procedural world: when a pair has
neither ``p`` nor ``OPPOSITE[p]`` the pair was too close to call, and no claim is made."""

NON_SPATIAL = frozenset(
    {
        "bigger than",
        "smaller than",
        "closer than",
        "farther than",
        "same color as",
        "same shape as",
        "same material as",
        "same size as",
    }
)
"""The procedural world's comparative and attribute predicates: dense and implied by the
attributes, so relation questions ("how are A and B related") leave them out. Every other
predicate (all of Visual Genome's) counts as a relation to ask about."""


@dataclass(frozen=True)
class QObject:
    """One object: ``attrs`` maps attribute type -> value (VG attributes typed by vocabulary,
    untyped ones under ``"other"`` joined by commas)."""

    id: int
    name: str
    attrs: dict[str, str]
    bbox: tuple[int, int, int, int]
    centroid: tuple[float, float]
    distance: float | None = None
    position: tuple[float, float, float] | None = None

    def describe(self, types: tuple[str, ...] = ATTRIBUTE_TYPES) -> str:
        """Noun phrase with every typed attribute, e.g. ``large red metal cube``."""
        words = [self.attrs[t] for t in DESCRIBE_ORDER if t in self.attrs and t in types]
        return " ".join([*words, self.name])


Ref = tuple[str, dict[str, str]]
"""A unique referring expression: (phrase, attribute constraints); the name is the object's."""


@dataclass(frozen=True)
class Lexicon:
    """What the names of an open world's graph denote in its image (see
    ``sources.from_world_graph``), for graphs that name only some of what the image shows
    (parts on some people, generic words, things too hidden to be named).

    ``members``: name -> ids of every visible object the word denotes, for the names that
    refer (each such object is in the graph, and nothing the word could also be said of is
    left unnamed or in doubt). ``countable``: the names of ``members`` that count, exist and
    frequency questions may ask (a name that only refers, like a backdrop's "sky", is not
    counted). ``open_predicates``: predicates the graph states only for some of the pairs
    they hold for (nearest-neighbour geometric ones), so their absence means nothing.
    ``counts_attributes``: whether "red objects" (no name) may be counted.
    ``general``: see the field.
    """

    members: Mapping[str, tuple[int, ...]]
    countable: frozenset[str]
    open_predicates: frozenset[str] = frozenset()
    counts_attributes: bool = False
    general: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    """Generic question words ("animal", "vehicle") -> ids of the things each denotes, for
    the words no visible thing is in doubt for (an empty tuple: none shows)."""
    said: frozenset[str] | None = None
    """Every word some visible thing of the image, named or not, is or may be called (its
    names, its kind's words, the words in doubt for it): a word outside it names nothing
    the image shows, so "is there a dog" is "no" (None: unknown)."""


@dataclass(frozen=True)
class WorldFacts:
    """What an open world's graph states beyond names and boxes (see
    ``sources.from_world_graph``): the scene type, each object's category, group (person,
    animal, food, ...) and role ("thing", "part" of a thing, "backdrop" piece), and which
    relations were placed by a rule (``closed``: the placement rules state every such
    relation they make, so for these predicates the graph's set is the whole truth; the
    nearest-neighbour geometric and facing-cone relations are not among them).

    ``words``: the question words (hypernyms like "animal", "vehicle", "food") kinds may
    count or look for; their members are the lexicon's. ``siblings``: word -> other words
    of the same kind (a dog's: other animals), for multiple-choice distractors.
    ``scene_types``: every scene type the world draws (the scene-type question's options).
    """

    scene_type: str | None
    scene_types: tuple[str, ...]
    category: Mapping[int, str]
    group: Mapping[int, str]
    role: Mapping[int, str]
    closed: frozenset[tuple[int, str, int]]
    words: tuple[str, ...] = ()
    siblings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    parts: tuple[str, ...] = ()
    """Words of parts of things (roof, door, hand, wheel), sorted."""
    palette: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    """Category -> colour -> share of its things the world draws in that colour (empty:
    unknown): the colours a colour question about a thing of the category may offer."""
    unnamed: frozenset[tuple[int, str, int]] = frozenset()
    """Placed relations whose one end is a thing the graph leaves out but the image shows
    (id 0 at that end: a pepper too small to name on the counter is (0, "on", counter)):
    "What is on the counter?" has no one answer then."""
    scene_evidence: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Evidence key -> the scene types the world shows it in (``WorldWords.scene_evidence``;
    empty: the world tells nothing, and the scene type is not asked)."""
    depth: Mapping[int, float] = field(default_factory=dict)
    """Object id -> its distance from the camera in metres, for the things a world places
    at a known depth (the sprite world's ``pos``; not backdrop pieces, parts, or things
    hung, worn or flying): which of two points is nearer is asked only between such things
    clearly apart in depth, or such a thing and a backdrop piece behind it."""

    def is_thing(self, i: int) -> bool:
        return self.role.get(i) == "thing"


@dataclass
class QAGraph:
    """A scene graph plus optional per-pixel masks (instance ids) and depth.

    Relations come either as ``relations`` (subject, predicate, object) triples or, faster
    for the procedural world, as ``by_predicate`` (predicate -> (subject, object) pairs);
    read them through :attr:`pairs`, :attr:`triples` or :attr:`relations_between`.
    ``vocab`` is the closed vocabulary of the source ("name", "color", "material", "size"
    -> values) when it has one: kinds then also ask about absent things (count 0, "no").
    """

    width: int
    height: int
    objects: list[QObject]
    relations: list[tuple[int, str, int]] = field(default_factory=list)
    ids: np.ndarray | None = None
    depth_fn: Callable[[], np.ndarray] | None = None
    source: str = "svg"
    by_predicate: Mapping[str, Sequence[tuple[int, int]]] | None = None
    vocab: Mapping[str, Sequence[str]] | None = None
    lexicon: Lexicon | None = None
    """An open world's reading of its names (None: a name denotes the objects named so)."""
    world: WorldFacts | None = None
    """An open world's categories, roles, scene type and placed relations (None: none)."""
    depth_point: Callable[[int, int], float] | None = None
    """Depth at one pixel (x, y) without the whole map, when the source has a cheaper way
    (an open world's depth order); :meth:`depth_at` falls back to :attr:`depth`."""
    identity: Mapping[int, int] | None = None
    """Object id -> the physical object it shows, when several images are views of one
    scene (``svg_multi``'s related views): multi-image kinds count physical objects and
    never compare an object with itself (None: every object is its own)."""

    @property
    def has_masks(self) -> bool:
        return self.ids is not None

    @property
    def has_depth(self) -> bool:
        return self.depth_fn is not None

    @cached_property
    def depth(self) -> np.ndarray:
        """Per-pixel depth, computed on first use (most questions never need it)."""
        if self.depth_fn is None:
            raise ValueError("this graph has no depth")
        return self.depth_fn()

    def depth_at(self, x: int, y: int) -> float:
        """The depth of pixel (x, y): the same value as ``depth[y, x]``."""
        if self.depth_point is not None:
            return self.depth_point(x, y)
        return float(self.depth[y, x])

    @property
    def has_3d(self) -> bool:
        return bool(self.objects) and all(o.position is not None for o in self.objects)

    @cached_property
    def by_id(self) -> dict[int, QObject]:
        return {o.id: o for o in self.objects}

    @cached_property
    def name_counts(self) -> Counter[str]:
        return Counter(o.name for o in self.objects)

    @cached_property
    def pairs(self) -> Mapping[str, frozenset[tuple[int, int]]]:
        """predicate -> set of (subject, object) pairs (predicates with at least one)."""
        if self.by_predicate is not None:
            return _LazyPairs(self.by_predicate)
        out: dict[str, set[tuple[int, int]]] = {}
        for s, p, o in self.relations:
            out.setdefault(p, set()).add((s, o))
        return {p: frozenset(v) for p, v in out.items()}

    @cached_property
    def triples(self) -> list[tuple[int, str, int]]:
        """Every relation as (subject, predicate, object)."""
        if self.by_predicate is None:
            return list(self.relations)
        return [(s, p, o) for p, v in self.by_predicate.items() for s, o in v]

    @cached_property
    def relations_between(self) -> dict[tuple[int, int], list[str]]:
        """(subject, object) -> predicates, in graph order."""
        out: dict[tuple[int, int], list[str]] = {}
        for s, p, o in self.triples:
            out.setdefault((s, o), []).append(p)
        return out

    @cached_property
    def predicates(self) -> list[str]:
        return sorted(self.pairs)

    @cached_property
    def relation_predicates(self) -> list[str]:
        """Predicates relation questions ask about (see :data:`NON_SPATIAL`), sorted."""
        return [p for p in self.predicates if p not in NON_SPATIAL]

    @cached_property
    def spatial_between(self) -> dict[tuple[int, int], list[str]]:
        """(subject, object) -> relation predicates (sorted) for pairs that have any."""
        out: dict[tuple[int, int], list[str]] = {}
        source = self.by_predicate if self.by_predicate is not None else self.pairs
        for p in self.relation_predicates:  # sorted, so every list comes out sorted
            for s, o in source[p]:
                key = (s, o)
                if key in out:
                    out[key].append(p)
                else:
                    out[key] = [p]
        return out

    def holds(self, s: int, p: str, o: int) -> bool:
        pairs = self.pairs.get(p)
        return pairs is not None and (s, o) in pairs

    @property
    def decided(self) -> bool:
        """True when absent predicates of :data:`OPPOSITE` mean "too close to call" (the
        procedural world) rather than "false" (VG's closed-world reading)."""
        return self.source == "svg"

    def names(self) -> list[str]:
        """Object names to ask about: the vocabulary's when closed, else the graph's."""
        if self.vocab is not None and "name" in self.vocab:
            return sorted(set(self.vocab["name"]) | set(self.name_counts))
        return sorted(self.name_counts)

    def count_names(self) -> list[str]:
        """Names count, exist and frequency questions may ask about (:meth:`names` unless
        the graph has a :class:`Lexicon`: then only its countable names, mass nouns like
        "bread" left out)."""
        if self.lexicon is None:
            return self.names()
        return list(self._lexicon_count_names)

    @cached_property
    def _lexicon_count_names(self) -> tuple[str, ...]:
        assert self.lexicon is not None
        return tuple(sorted(n for n in self.lexicon.countable if not is_mass(n)))

    def countable(self, name: str | None) -> bool:
        """Whether a counted selection may use ``name`` (None: attributes only)."""
        if self.lexicon is None:
            return True
        if name is None:
            return self.lexicon.counts_attributes
        return name in self.lexicon.countable

    @cached_property
    def ids_by_name(self) -> dict[str, frozenset[int]]:
        """name -> the ids of the objects named so (one pass over the objects)."""
        named: dict[str, set[int]] = {}
        for o in self.objects:
            named.setdefault(o.name, set()).add(o.id)
        return {n: frozenset(ids) for n, ids in named.items()}

    def exact(self, name: str) -> bool:
        """Whether ``name`` is counted and denotes just the objects named so (no generic
        word, no thing named otherwise that the word also fits)."""
        if self.lexicon is None:
            return True
        got = self._exact.get(name)
        if got is None:
            got = self._exact[name] = self.countable(name) and set(
                self.lexicon.members.get(name, ())
            ) == set(self.ids_by_name.get(name, ()))
        return got

    @cached_property
    def _exact(self) -> dict[str, bool]:
        """name -> :meth:`exact` (kinds ask it of the same names many times per graph)."""
        return {}

    def members(self, name: str) -> list[QObject]:
        """The objects ``name`` denotes: those named so, or the lexicon's members (a new
        list each call; with a lexicon, looked up once per name and view)."""
        if self.lexicon is None:
            return [o for o in self.objects if o.name == name]
        got = self._members.get(name)
        if got is None:
            by_id = self.by_id
            got = self._members[name] = tuple(
                [by_id[i] for i in self.lexicon.members.get(name, ())]
            )
        return list(got)

    @cached_property
    def _members(self) -> dict[str, tuple[QObject, ...]]:
        """name -> :meth:`members` (kinds ask it of the same names many times per graph)."""
        return {}

    def count(self, name: str) -> int:
        """How many objects ``name`` denotes."""
        if self.lexicon is None:
            return self.name_counts[name]
        return len(self.lexicon.members.get(name, ()))

    @cached_property
    def closed_predicates(self) -> list[str]:
        """Relation predicates whose absence means "does not hold" (every one but the
        lexicon's open ones), sorted."""
        if self.lexicon is None:
            return self.relation_predicates
        return [p for p in self.relation_predicates if p not in self.lexicon.open_predicates]

    def values(self, key: str) -> list[str]:
        """Values of an attribute type: the vocabulary's when closed, else the graph's."""
        seen = {o.attrs[key] for o in self.objects if key in o.attrs}
        if self.vocab is not None and key in self.vocab:
            seen |= set(self.vocab[key])
        return sorted(seen)

    @cached_property
    def descriptions(self) -> list[str]:
        """Every object's full phrase (:meth:`QObject.describe`), in object order."""
        return [o.describe() for o in self.objects]

    @cached_property
    def typed_keys(self) -> list[str]:
        """Attribute types some object has, in :data:`ATTRIBUTE_TYPES` order."""
        have = {k for o in self.objects for k in o.attrs}
        return [k for k in ATTRIBUTE_TYPES if k in have]

    @cached_property
    def refs(self) -> dict[int, Ref | None]:
        """Object id -> its shortest unique referring expression (None if it has none)."""
        if self.lexicon is not None:
            # an object alone under its name refers by the name (what _lexicon_ref gives
            # it), without the call; the others through _lexicon_ref
            members = self.lexicon.members
            out: dict[int, Ref | None] = {}
            for o in self.objects:
                named = members.get(o.name)
                if named is not None and len(named) == 1 and named[0] == o.id:
                    out[o.id] = (o.name, {})
                else:
                    out[o.id] = self._lexicon_ref(o, None)
            return out
        return _unique_refs(self.objects, self.objects, None)

    def _lexicon_ref(self, o: QObject, avoid: str | None) -> Ref | None:
        """With a lexicon: the first attribute subset (smallest first) that, with ``o``'s
        name, denotes ``o`` alone among the name's members (a member without an attribute
        type the subset uses might have any value: it matches). None when the name does
        not refer (a part, or a word other visible things answer to as well)."""
        assert self.lexicon is not None
        members = self.lexicon.members.get(o.name)
        if members is None or o.id not in members:
            return None
        if len(members) == 1:
            return (o.name, {})  # the name alone: what the empty subset gives, no rivals
        rivals = [self.by_id[i] for i in members if i != o.id]
        for keys in _SUBSETS:
            if avoid in keys or any(k not in o.attrs for k in keys):
                continue
            if all(any(x.attrs.get(k, o.attrs[k]) != o.attrs[k] for k in keys) for x in rivals):
                attrs = {k: o.attrs[k] for k in keys}
                return (" ".join([*attrs.values(), o.name]), attrs)
        return None

    @cached_property
    def referable(self) -> list[QObject]:
        """The objects that have a unique referring expression, in object order."""
        refs = self.refs
        return [o for o in self.objects if refs[o.id] is not None]

    def ref_for(self, o: QObject, avoid: str | None = None) -> Ref | None:
        """``o``'s shortest unique expression that does not use attribute type ``avoid``."""
        if avoid is None:
            return self.refs[o.id]
        if self.lexicon is not None:
            return self._lexicon_ref(o, avoid)
        namesakes = [x for x in self.objects if x.name == o.name]
        return _unique_refs([o], namesakes, avoid)[o.id]

    def capabilities(self) -> frozenset[str]:
        """What the graph offers: boxes, relations, masks, depth, 3d, typed_attributes,
        opposites (relations decided both ways, so "no" can be claimed), and world (an open
        world's categories, scene type and placed relations: :class:`WorldFacts`)."""
        caps = {"boxes", "relations"} if self.pairs else {"boxes"}
        if self.has_masks:
            caps.add("masks")
        if self.has_depth:
            caps.add("depth")
        if self.has_3d:
            caps.add("3d")
        if self.typed_keys:
            caps.add("typed_attributes")
        if self.decided and any(p in self.pairs for p in OPPOSITE):
            caps.add("opposites")
        if self.world is not None and self.lexicon is not None:
            caps.add("world")
        return frozenset(caps)


_SUBSETS = [keys for size in range(4) for keys in combinations(DESCRIBE_ORDER, size)]


def phrase(name: str | None, attrs: Mapping[str, str]) -> str:
    """Noun phrase of a description: ``large red metal cube``; no name gives ``object``."""
    words = [attrs[k] for k in DESCRIBE_ORDER if k in attrs]
    words += [v for k, v in sorted(attrs.items()) if k not in DESCRIBE_ORDER]
    return " ".join([*words, name or "object"])


def _unique_refs(
    targets: Sequence[QObject], objects: Sequence[QObject], avoid: str | None
) -> dict[int, Ref | None]:
    """For each of ``targets``, the first attribute subset (smallest first) whose values no
    other object of ``objects`` with the same name shares. Objects only compete with their
    namesakes, so most objects (the only one of their name) are referred to by the name
    alone. Bit ``i`` of a mask stands for ``DESCRIBE_ORDER[i]``; a subset works when it is
    not inside any rival's mask of equal values."""
    by_name: dict[str, list[QObject]] = {}
    for o in objects:
        by_name.setdefault(o.name, []).append(o)
    banned = _BIT.get(avoid, 0) if avoid is not None else 0
    out: dict[int, Ref | None] = {}
    for o in targets:
        group = by_name[o.name]
        if len(group) == 1:
            out[o.id] = (o.name, {})
            continue
        v = tuple(o.attrs.get(k) for k in DESCRIBE_ORDER)
        have = (v[0] is not None) | (v[1] is not None) << 1 | (v[2] is not None) << 2
        have &= ~banned
        same = []
        for x in group:
            if x is not o:
                a = x.attrs
                same.append(
                    (v[0] is not None and a.get("size") == v[0])
                    | (v[1] is not None and a.get("color") == v[1]) << 1
                    | (v[2] is not None and a.get("material") == v[2]) << 2
                )
        out[o.id] = None
        for mask, keys in _MASKS:
            if mask & have == mask and all(mask & ~m for m in same):
                attrs = {k: o.attrs[k] for k in keys}  # keys are in DESCRIBE_ORDER
                out[o.id] = (" ".join([*attrs.values(), o.name]), attrs)
                break
    return out


_BIT = {k: 1 << i for i, k in enumerate(DESCRIBE_ORDER)}
_MASKS = [(sum(_BIT[k] for k in keys), keys) for keys in _SUBSETS[1:]]


class _LazyPairs(Mapping[str, frozenset[tuple[int, int]]]):
    """predicate -> pair set, each set built on first access (a question needs two or
    three of the world's thirteen predicates)."""

    def __init__(self, by_predicate: Mapping[str, Sequence[tuple[int, int]]]) -> None:
        self._source = {p: v for p, v in by_predicate.items() if v}
        self._sets: dict[str, frozenset[tuple[int, int]]] = {}

    def __getitem__(self, p: str) -> frozenset[tuple[int, int]]:
        got = self._sets.get(p)
        if got is None:
            got = self._sets[p] = frozenset(map(tuple, self._source[p]))  # type: ignore[arg-type]
        return got

    def __contains__(self, p: object) -> bool:
        return p in self._source

    def __iter__(self) -> Iterator[str]:
        return iter(self._source)

    def __len__(self) -> int:
        return len(self._source)
