"""Naming things of a sprite scene so that a person picks exactly the meant one.

A structured expression (:class:`Ref`): a noun, optionally the thing's dominant colour, a
by-construction relation to a uniquely named anchor ("the cup on the table", "the man
holding the umbrella"), or a side among exactly two ("the dog on the left").
:func:`denotes` evaluates it against the scene; :func:`unique_ref` only returns an
expression that denotes the meant thing alone.

What a word denotes is what a person would accept it for: "dog" denotes every dog, and
also every puppy; "animal" every thing whose category has "animal" in its hypernym path
(a cat is an animal too), so "the animal" is unique only when there is one animal. Every
object of the scene counts, also ones too hidden for the scene graph (a person may still
see the sliver). Colours are the sprite's dominant colour, never used for people (the
colour of a person's clothes is not theirs) nor for things whose art is multicoloured in
a way a dominant colour misreads; sides need the two boxes apart by a clear margin.

Relations used are the scene's by-construction relations (a cup rests on the table
because the rule put it there; the graph builder checked the pixels), so a person agrees
with them; geometric relations decided with margins ("behind", "near") are not used.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from synthgen.world.senses import IN_SENSE, ON_SENSE
from synthgen.world.sprites.colours import colour_word
from synthgen.world.sprites.scene import SObject, SpriteScene, Tables

REL_PHRASE: dict[str, str] = {
    "on": "on",
    "in": "in",
    "sitting on": "sitting on",
    "lying on": "lying on",
    "holding": "holding",
    "carrying": "carrying",
    "wearing": "wearing",
    "riding": "riding",
    "under": "under",
    "eating": "eating",
}
"""By-construction predicates an expression may use, and how they read."""
PLACE_PHRASE: dict[str, str] = {
    "on": "on",
    "in": "in",
    "on back of": "on",
    "standing on": "standing on",
    "walking on": "walking on",
    "walking in": "walking in",
    "parked on": "parked on",
    "sitting on": "sitting on",
    "lying on": "lying on",
    "laying on": "lying on",
    "growing on": "growing on",
    "flying in": "flying in",
    "hanging from": "hanging from",
}
"""How "a man ... the floor" reads for the predicate that placed a thing on its support
("a man standing on the floor", "a car parked on the street", "a cup on the table")."""
SAME_SENSE: dict[str, frozenset[str]] = {
    "on": ON_SENSE,
    "lying on": frozenset({"lying on", "laying on", "on"}),
    "sitting on": frozenset({"sitting on", "on"}),
    "in": IN_SENSE,
}
"""Predicates a person accepts an expression's "on" / "lying on" / "sitting on" / "in"
for: "the sunflower on the grass" is every sunflower on the grass, the one placed
"growing on" it too, and "the clock on the wall" the one "mounted on" it (the world words
a flower's, a clock's or a towel's placement either way, as Visual Genome's annotators
do)."""
NO_COLOUR_GROUPS = frozenset({"person", "part", "backdrop", "structure"})
SIDE_MARGIN = 4
"""Two boxes are told apart by side when one ends this many pixels left of the other."""


@dataclass(frozen=True)
class Ref:
    """``the [colour] noun [pred the anchor] [on the side]``."""

    noun: str
    colour: str | None = None
    pred: str | None = None
    anchor: Ref | None = None
    side: str | None = None  # "left" | "right"

    def text(self) -> str:
        words = ["the"] + ([self.colour] if self.colour else []) + [self.noun]
        if self.pred is not None and self.anchor is not None:
            words += [REL_PHRASE[self.pred], self.anchor.text()]
        if self.side is not None:
            words.append(f"on the {self.side}")
        return " ".join(words)

    def to_dict(self) -> dict:
        out: dict = {"noun": self.noun}
        if self.colour:
            out["colour"] = self.colour
        if self.pred is not None and self.anchor is not None:
            out["pred"] = self.pred
            out["anchor"] = self.anchor.to_dict()
        if self.side:
            out["side"] = self.side
        return out


@lru_cache(maxsize=4096)
def _category_words(tables: Tables, category: str) -> frozenset[str]:
    c = tables.atlas.categories.get(category)
    if c is None:
        return frozenset({category})
    return frozenset({c.name, *c.synonyms, *c.hypernyms})


def words(tables: Tables, o: SObject) -> frozenset[str]:
    """Every noun a person may use for object ``o``."""
    return _category_words(tables, o.category) | {o.name, *o.alt}


def noun(o: SObject) -> str:
    """The specific noun of a thing (its category for sprites: "sheep", not "animal")."""
    return o.category if o.role == "thing" and o.group not in ("structure",) else o.name


def colour_of(o: SObject) -> str | None:
    if o.group in NO_COLOUR_GROUPS:
        return None
    return colour_word(o.attributes) or None


def denotes(ref: Ref, scene: SpriteScene, tables: Tables, boxes: dict[int, tuple]) -> list[int]:
    """Oids of the objects ``ref`` denotes (``boxes``: visible (x, y, w, h) per oid, used for
    sides; objects without a box are not placed by side)."""
    base = [o.oid for o in scene.objects if ref.noun in words(tables, o)]
    if ref.colour is not None:
        base = [k for k in base if colour_of(scene.objects[k - 1]) == ref.colour]
    if ref.pred is not None and ref.anchor is not None:
        anchors = denotes(ref.anchor, scene, tables, boxes)
        if len(anchors) != 1:
            return []
        a = anchors[0]
        preds = SAME_SENSE.get(ref.pred, frozenset({ref.pred}))
        pairs = {(r.subject, r.object) for r in scene.relations if r.predicate in preds}
        base = [k for k in base if (k, a) in pairs]
    if ref.side is not None:
        if len(base) != 2 or any(k not in boxes for k in base):
            return base  # a side picks one of exactly two: otherwise it picks nothing alone
        p, q = sorted(base, key=lambda k: boxes[k][0])
        (px, _, pw, _), (qx, _, _, _) = boxes[p], boxes[q]
        if px + pw + SIDE_MARGIN > qx:
            return base
        return [p] if ref.side == "left" else [q]
    return base


def unique_ref(
    scene: SpriteScene,
    tables: Tables,
    oid: int,
    boxes: dict[int, tuple],
    relations: bool = True,
    colour: bool = True,
    colour_first: bool = False,
) -> Ref | None:
    """The shortest expression that denotes ``oid`` alone: the noun, the colour and noun
    (unless ``colour`` is False; first with ``colour_first``: "the red car" where a blue
    one replaces it), a relation to a uniquely named anchor, then a side; None when none
    does. Only what the image shows is named: ``oid`` and a relation's anchor must have a
    box in ``boxes`` (the graph's objects, shown well enough to name). A sitter drawn over
    a skateboard hides it: "the person riding the skateboard" named a board no one can
    see."""
    if oid not in boxes:
        return None
    o = scene.objects[oid - 1]
    n = noun(o)
    forms = [Ref(n)]
    colour = colour and colour_of(o)
    if colour:
        forms.insert(0 if colour_first else 1, Ref(n, colour))
    if relations:
        for r in scene.relations:
            if r.predicate not in REL_PHRASE or r.subject != oid:
                continue
            other = scene.objects[r.object - 1]
            if other.role == "part" or r.object not in boxes:
                continue
            anchor = Ref(noun(other))
            if denotes(anchor, scene, tables, boxes) == [r.object]:
                forms.append(Ref(n, pred=r.predicate, anchor=anchor))
    forms.append(Ref(n, side="left"))
    forms.append(Ref(n, side="right"))
    for ref in forms:
        if denotes(ref, scene, tables, boxes) == [oid]:
            return ref
    return None


def visible_boxes(graph) -> dict[int, tuple]:
    """Oid -> visible box (x, y, w, h) of the objects a sprite graph shows."""
    return {o.id: tuple(o.bbox) for o in graph.objects}
