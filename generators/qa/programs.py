"""The program language: what a QA's ``program`` dict means, precisely enough for an
independent evaluator to recompute the answer from the graph alone.

Every program is ``{"kind": <kind>, "op": <op>, ...}``; a record's JSON holds it as canonical
JSON text (sorted keys, no whitespace: one string column for Arrow / ``datasets``), so a reader
of the JSON lines ``json.loads`` it. Building blocks:

ref
    ``{"name": str | None, "attrs": {type: value}}``: a description that must select
    exactly one object (name equal when given, every listed attribute equal).
region
    ``[x, y, w, h]``: the one object whose box is exactly this.
filter
    ``{"name": str | None, "attrs": {...}}`` plus optionally ``"not": {"key": type,
    "value": v}`` (the object has attribute ``type`` and it is not ``v``) and ``"rel":
    {"pred": p, "ref": ref, "decided": bool}`` (the object stands in relation ``p`` to the
    object of ``ref``). With ``decided``, every object matching the rest of the filter
    (other than the ref's object) has ``p`` or its opposite to it, so the answer does not
    hinge on a pair that was too close to call.
options
    The texts the question offers to choose from, in question order; the answer is one
    of them. ``refs`` / ``points`` give what each option denotes.

Name answers are the phrase of the ref they denote: attribute values in the order size,
color, material, then the name (``large red metal cube``).

Single-image ops
    ``count`` (select: filter) -> number of matches. ``exists`` -> "yes" / "no".
    ``most_frequent`` / ``least_frequent`` (names; options: their plurals, as the question
    says them) -> the option of the name with the unique largest / smallest count.
    ``extreme`` (options, refs, axis "x"/"y", most "min"/"max", margin px, edges) -> the
    option whose centroid coordinate beats every other option's by at least ``margin``;
    with ``edges`` its box edge on that side (x or y for min, x + w or y + h for max) is
    also strictly beyond every other option's.
    ``query`` (ref or region, query: type or "attributes") -> the value, or all typed
    values in phrase order joined by spaces. A colour asked of a real thing carries
    ``options`` (the colours its kind comes in, as the question lists them); the answer is
    one of them.
    ``relations`` (subject, object: ref or region) -> the relation predicates from subject
    to object (every predicate except the procedural world's comparative and attribute
    ones), sorted, joined by ", ".
    ``which_relation`` (options, refs, pred, object: ref, decided) -> the one option that
    has ``pred`` to the object (with ``decided``, every other option has the opposite).
    ``point_object`` (anchor [x, y], points, options, same: bool) -> the one point on the
    same object as the anchor (same) or on a different one (not same); every point lies on
    an object (instance map non-zero).
    ``point_depth`` (points, options, most "closer"/"farther") -> the point with the
    smallest / largest depth-map value, strictly.
    ``object_depth`` (options, refs, most, margin) -> the option whose camera distance is
    smaller (closer) / larger (farther) than every other's by at least ``margin``.
    ``anchor_distance`` (anchor: ref, options, refs, most, margin) -> likewise with the 3D
    distance between object centres and the anchor's.
    ``closest_object`` (anchor: ref, most "closest"/"farthest", margin, answer_ref) -> the
    other object nearest / farthest from the anchor by at least ``margin`` over all others;
    the answer is the phrase of ``answer_ref``, which selects exactly it.
    ``object_list`` -> "<count> <plural name>" per name, sorted by name, joined by ", ".
    ``attribute_list`` -> every object's full phrase, sorted, joined by "; ".
    ``relation_list`` (subject: ref, items: [{pred, object: ref}]) -> the items, in order,
    as "<pred> the <phrase>" joined by "; "; they are exactly all the subject's relation
    predicates (as in ``relations``) to other objects.
    ``describe`` (count, objects: full phrases, claims: [{subject, pred, object}]) -> a
    caption stating the object count, the objects and the claims; each claim holds.
    ``box`` (ref) -> the object's box "[x, y, w, h]".
    ``distance_compare`` (anchor, a, b: refs, margin) -> "yes" when the anchor's centre is
    nearer a's than b's by at least margin, "no" when nearer b's by at least margin.
    ``same_attribute`` (a, b: refs, query: type) -> "yes" / "no".
    ``relation_holds`` (subject, pred, object) -> "yes" when it holds, "no" when the
    opposite predicate holds.

Open-world ops (graphs with categories, roles, a scene type and placed relations: the
relations a placement rule made, i.e. every relation but the geometric and facing-cone ones;
a name is a word that denotes every thing called so or whose category it names: its names,
synonyms and hypernyms, "animal" for a dog)
    ``relation_object`` (subject: ref, pred[, object_category]) -> the name of the one
    object o with the placed relation (subject, pred, o) (of a category in
    ``object_category`` when given: "wearing" asks headwear).
    ``relation_subject`` (object: ref, pred) -> the name of the one subject s with (s, pred,
    object): placed, between things for "on" and "in"; "looking at" is the graph's
    "looking at" or "watching".
    ``part_at_point`` (whole: ref, point [x, y]) -> the name of the part of the whole (tied
    by a placed "has" / "part of" / "of") whose pixels hold the point and its disk of radius 3.
    ``scene_type`` (scene_types) -> the graph's scene type as said ("living room", "ski
    slope"; "_" as a space).
    ``chain_query`` (subject: ref, pred, query) -> attribute ``query`` of the one object of
    the subject's placed relation ``pred``; it is a thing and no person.
    A filter may carry ``not_name``: the things the word also denotes are left out
    ("animals that are not dogs"). Open-world ``object_list`` / ``describe`` carry
    ``names`` (every listed name: no parts; the caption: things only) and ``counted``
    (name -> count where the count is exact), see tests/qa/checker.py for the wording.
    (``relation_list`` is not asked of open worlds; records made before carry ``placed``:
    the subject's placed relations to objects that are no parts, part relations aside.)

Predicates in texts and answers are said as English says them: "left of" -> "to the left
of", "right of" -> "to the right of", "closer than" -> "closer to the camera than",
"farther than" -> "farther from the camera than", "laying on" -> "lying on".

Multi-image ops (graphs in image order; images are "Image 1", "Image 2", ...)
    ``image_select`` (cond, want: bool, options) -> the one image where the condition is
    ``want``. Conditions: ``{"has": filter}`` (at least one match) or ``{"relation":
    {"subject": ref, "pred": p, "object": ref}}`` (true where both refs select exactly one
    object and the relation holds; where both are present the relation or its opposite
    holds; where one is absent it is false).
    ``image_extreme`` (select: filter, most "max"/"min", options) -> the image with the
    unique largest / smallest count.
    ``common_objects`` -> names present in every image, sorted, joined by ", ".
    ``common_attributes`` (name) -> the name occurs once per image; the values all those
    objects share, in phrase order, joined by ", ".
    ``total_count`` (select: filter) -> the sum of the counts over images; with
    ``physical`` (views of one scene) the number of distinct physical objects matching in
    any image.
    ``relation_diff`` (subject, object: refs) -> "Image i: <relations>" per image joined by
    "; " (both refs unique in every image; every image has some relation; not all equal).
    ``attribute_diff`` (name) -> "Image i: <values>" per image joined by "; ": the values of
    the attribute types that differ across images, in phrase order (name once per image).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")


def ref(name: str | None, attrs: Mapping[str, str]) -> dict[str, Any]:
    """A ref / filter base: ``{"name": ..., "attrs": {...}}``."""
    return {"name": name, "attrs": dict(attrs)}


def point_text(x: int, y: int) -> str:
    return f"({x}, {y})"


def image_name(i: int) -> str:
    """Name of the image at 0-based position ``i``."""
    return f"Image {i + 1}"


def pick(rng: np.random.Generator, items: Sequence[Any]) -> Any:
    """One item, uniformly, with the sample's RNG."""
    return items[int(rng.random() * len(items))]


def permutation(rng: np.random.Generator, n: int) -> list[int]:
    """``rng.permutation(n).tolist()``: the same list from the same draws (numpy's
    permutation shuffles ``arange(n)`` and a list is shuffled by the same Fisher-Yates
    steps, one ``random_interval`` per position), without building and converting an
    array (a third of the time for the few items kinds shuffle; ``tests/qa/test_qa_speed``
    compares both)."""
    out = list(range(n))
    rng.shuffle(out)
    return out


def sample(rng: np.random.Generator, items: Sequence[T], k: int) -> list[T]:
    """``k`` distinct items in random order: the first ``k`` of :func:`permutation`."""
    return [items[i] for i in permutation(rng, len(items))[:k]]


def shuffled(rng: np.random.Generator, items: list) -> list:
    """A uniformly shuffled copy (option order carries no information about the answer),
    in :func:`permutation`'s order."""
    return [items[i] for i in permutation(rng, len(items))]
