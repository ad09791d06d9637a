"""The procedural edit recipe: for every edit type, no pixel changes outside the mask and the
target's graph differs from the source's exactly as the type says (checked here from the
records' graphs with the test's own expectations); unique referring expressions; styles."""

from __future__ import annotations

import re
from collections import Counter
from string import Formatter
from typing import Any

import numpy as np
import pytest

import synthgen
from synthgen.generators.edit import ops, styles
from synthgen.generators.edit import sign as signs
from synthgen.generators.edit.program import phrasings
from synthgen.generators.edit.refexp import RefExp, evaluate, phrase
from synthgen.prompts import load
from synthgen.world import SceneGraph

PER_TYPE = 5


def _records(types: tuple[str, ...], n: int, seed: int = 3, **extra: Any) -> list[Any]:
    cfg = {"world": "shapes", "types": list(types), "style_fraction": 0.0, "graphs": True, **extra}
    return list(synthgen.generate("edit", n=n, seed=seed, config=cfg))


def _arr(record: Any, name: str) -> np.ndarray:
    return np.asarray(record.media_objects[name].convert("RGB" if name != "mask" else "L"))


def _looks(o: Any) -> tuple:
    a = o.attributes
    return (o.name, a["color"], a["material"], a["size"])


def _full(o: Any) -> tuple:
    return (*_looks(o), round(o.position[0], 3), round(o.position[1], 3), round(o.rotation, 2))


def _diff_ids(s: SceneGraph, t: SceneGraph) -> dict[int, set[str]]:
    """Same ids on both sides: id -> names of the fields that differ."""
    names = ("shape", "color", "material", "size", "x", "y", "rotation")
    out = {}
    for a, b in zip(s.objects, t.objects, strict=True):
        fields = {n for n, u, v in zip(names, _full(a), _full(b), strict=True) if u != v}
        if fields:
            out[a.id] = fields
    return out


def _only(ref: RefExp, g: SceneGraph) -> int:
    hits = evaluate(ref, g)
    assert len(hits) == 1, (ref, hits)
    return hits[0]


def _check_graph_change(r: Any) -> None:
    s, t, p, kind = r.source_graph, r.target_graph, r.params, r.edit_type
    src_multiset = Counter(_full(o) for o in s.objects)
    tgt_multiset = Counter(_full(o) for o in t.objects)
    if kind in ("recolor", "shape", "material", "resize"):
        attr = {"recolor": "color", "resize": "size"}.get(kind, kind)
        changed = _diff_ids(s, t)
        target = _only(r.refexps["target"], s)
        assert changed == {target: {"shape" if attr == "shape" else attr}}
        after = t.object(target)
        value = after.name if attr == "shape" else after.attributes[attr]
        assert value == p[attr][1] != p[attr][0]
        assert str(p[attr][1]) in r.instruction
    elif kind == "rotate":
        target = _only(r.refexps["target"], s)
        assert _diff_ids(s, t) == {target: {"rotation"}}
        turn = (t.object(target).rotation - s.object(target).rotation) % 360
        want = p["degrees"] if p["sense"] == "counterclockwise" else 360 - p["degrees"]
        assert abs(turn - want) < 1e-3
    elif kind == "move":
        target = _only(r.refexps["target"], s)
        assert _diff_ids(s, t) == {target: {"x", "y"}}
        a, b = s.object(target), t.object(target)
        d = p["direction"]
        if d == "to the left":
            assert b.centroid[0] < a.centroid[0]
        elif d == "to the right":
            assert b.centroid[0] > a.centroid[0]
        elif d == "toward the camera":
            assert b.distance < a.distance
        else:
            assert b.distance > a.distance
    elif kind == "remove":
        target = _only(r.refexps["target"], s)
        assert src_multiset - tgt_multiset == Counter([_full(s.object(target))])
        assert not tgt_multiset - src_multiset
    elif kind in ("add", "duplicate", "count"):
        added = tgt_multiset - src_multiset
        assert not src_multiset - tgt_multiset
        new = [o for o in t.objects if o.id > len(s.objects)]
        assert sum(added.values()) == len(new) >= 1
        if kind == "add":
            assert len(new) == 1
            want = p["new"]
            assert _looks(new[0]) == (want["shape"], want["color"], want["material"], want["size"])
            anchor = _only(r.refexps["anchor"], s)
            pred = ops.PLACES[p["place"]]
            assert (new[0].id, anchor) in {tuple(x) for x in t.relations_by_predicate[pred]}
        elif kind == "duplicate":
            original = _only(r.refexps["target"], s)
            assert _looks(new[0]) == _looks(s.object(original))
            pred = ops.PLACES[p["place"]]
            assert (new[0].id, original) in {tuple(x) for x in t.relations_by_predicate[pred]}
        else:
            assert sum(o.name == p["shape"] for o in t.objects) == p["after"]
            assert sum(o.name == p["shape"] for o in s.objects) == p["before"] < p["after"]
    elif kind == "replace":
        target = _only(r.refexps["target"], s)
        changed = _diff_ids(s, t)
        assert list(changed) == [target] and "shape" in changed[target]
        assert {"x", "y"}.isdisjoint(changed[target])
    elif kind == "swap":
        a, b = _only(r.refexps["target"], s), _only(r.refexps["anchor"], s)
        assert set(_diff_ids(s, t)) == {a, b}
        assert t.object(a).position[:2] == s.object(b).position[:2]
        assert t.object(b).position[:2] == s.object(a).position[:2]
    elif kind == "remove_all":

        def member(o: Any) -> bool:
            return all(
                (o.name if k == "shape" else o.attributes[k]) == v for k, v in p["kind"].items()
            )

        assert not any(member(o) for o in t.objects)
        kept = Counter(_full(o) for o in s.objects if not member(o))
        assert kept == tgt_multiset and sum(map(member, s.objects)) == p["removed"] >= 2
    elif kind == "recolor_all":
        changed = _diff_ids(s, t)
        assert len(changed) == p["count"] >= 2
        assert all(f == {"color"} for f in changed.values())
        assert all(t.object(i).attributes["color"] == p["color"] for i in changed)
    elif kind in ("background", "light", *ops.TEXT_TYPES):
        assert src_multiset == tgt_multiset and not _diff_ids(s, t)
        if kind == "light":
            assert t.light.azimuth_deg == p["azimuth_deg"][1] != s.light.azimuth_deg
        else:
            assert t.light == s.light
        if kind.startswith("text_"):
            before, after = r.sign_before.model_dump(), r.sign_after.model_dump()
            differs = {k for k in before if before[k] != after[k]}
            field = {"text_wording": "text"}.get(kind, "font_" + kind.removeprefix("text_"))
            assert differs == {field}
            assert r.ocr == ("passed" if signs.ocr_available() else "skipped")
    else:  # pragma: no cover - a new type needs its own expectation here
        raise AssertionError(f"no expectation for {kind}")


def _params_named(r: Any) -> list[str]:
    """Requested values the instruction must say, from the record's params (test's own
    choice per type; attribute edits are checked in ``_check_graph_change``)."""
    p, kind = r.params, r.edit_type
    if kind == "move":
        return [p["direction"], p["amount"]]
    if kind == "rotate":
        return [str(p["degrees"]), p["sense"]]
    if kind in ("add", "duplicate"):
        return [p["place"]]
    if kind == "count":
        return [str(p["after"])]
    if kind == "recolor_all":
        return [p["color"]]
    if kind == "background":
        return [p["backdrop"]]
    if kind == "light":
        return [p["light_from"]]
    if kind in ("text_wording", "text_color"):
        return [p.get("text", p.get("font_color"))[1]]
    if kind in ("text_size", "text_style"):
        return p.get("font_size", p.get("font_style"))  # old and new both
    return []


@pytest.mark.parametrize("edit_type", ops.EDIT_TYPES)
def test_edit_type_changes_only_the_mask_and_the_graph_as_asked(edit_type: str) -> None:
    records = _records((edit_type,), PER_TYPE)
    assert len(records) == PER_TYPE
    for r in records:
        assert r.edit_type == edit_type and r.fidelity == "passed"
        src, tgt, mask = _arr(r, "source"), _arr(r, "target"), _arr(r, "mask") > 0
        changed = (src != tgt).any(axis=2)
        assert not (changed & ~mask).any(), "pixels changed outside the mask"
        assert changed[mask].any(), "nothing changed inside the mask"
        assert 0 < mask.sum() < mask.size
        assert r.preservation.max_abs_diff_outside == 0
        assert r.preservation.mean_abs_diff_outside == 0.0 == r.preservation.changed_outside
        assert r.preservation.changed_inside == int(changed.sum())
        assert len(r.instruction.split()) <= 50
        _check_graph_change(r)
        for ref in r.refexps.values():
            assert len(evaluate(ref, r.source_graph)) == 1
            assert phrase(ref) in r.instruction
        for value in _params_named(r):
            assert value in r.instruction, (value, r.instruction)
        if edit_type == "count" and r.params["after"] - r.params["before"] == 1:
            assert not re.search(r"\b(1|one) more \w+s\b", r.instruction), r.instruction


REQUIRED_SLOTS: dict[str, list[set[str]]] = {
    "recolor": [{"target"}, {"color"}],
    "shape": [{"target"}, {"shape"}],
    "material": [{"target"}, {"material"}],
    "resize": [{"target"}, {"size"}],
    "move": [{"target"}, {"direction"}, {"amount"}],
    "remove": [{"target"}],
    "add": [{"new"}, {"place"}, {"anchor"}],
    "replace": [{"target"}, {"new"}],
    "swap": [{"target"}, {"anchor"}],
    "duplicate": [{"target"}, {"place"}],
    "count": [{"total"}, {"kind", "more"}],
    "remove_all": [{"kind"}],
    "recolor_all": [{"kind"}, {"color"}],
    "rotate": [{"target"}, {"degrees"}, {"sense"}],
    "background": [{"backdrop"}],
    "light": [{"light_from"}],
    "text_wording": [{"text"}],
    "text_color": [{"font_color"}],
    "text_size": [{"font_size"}, {"old_font_size"}],
    "text_style": [{"font_style"}, {"old_font_style"}],
}
"""Per type, groups of slots of which every phrasing must use at least one: what changes,
and which object (sizes and styles of a sign also name the old value: "italic" alone would
not say whether an underline stays)."""


def test_every_phrasing_names_what_changes() -> None:
    assert set(REQUIRED_SLOTS) == set(ops.EDIT_TYPES)
    for kind, groups in REQUIRED_SLOTS.items():
        options = phrasings("types", kind)
        assert len(options) >= 3, kind
        for text in options:
            used = {name for _, name, _, _ in Formatter().parse(text) if name}
            for group in groups:
                assert used & group, (kind, text, group)
    for style in styles.STYLES:
        options = phrasings("styles", style)
        assert len(options) >= 3 and len(set(options)) == len(options), style
        assert not any(name for t in options for _, name, _, _ in Formatter().parse(t)), style
    assert set(load("edit")["styles"]) == set(styles.STYLES)


def test_masks_are_tight_for_geometric_edits() -> None:
    """The mask is what may change, not a blanket: for moves most of it does change."""
    records = _records(("move", "remove"), 12)
    ratios = [r.preservation.changed_inside / r.preservation.mask_pixels for r in records]
    assert min(ratios) > 0.3, ratios


def test_referring_expressions_are_unique_and_ordinals_are_used() -> None:
    records = _records(("recolor", "remove", "move", "swap", "rotate"), 60, seed=11)
    forms = Counter()
    for r in records:
        for ref in r.refexps.values():
            ids = evaluate(ref, r.source_graph)
            assert len(ids) == 1
            forms["ordinal" if ref.ordinal else "relation" if ref.relation else "attribute"] += 1
            # the object found without ``evaluate`` is the one the edit changed
            edited = {d.source_id for d in r.delta if d.source_id}
            assert _find_independently(ref, r.source_graph) == ids[0]
            assert ids[0] in edited, (r.instruction, ids, edited)
    assert set(forms) == {"attribute", "ordinal", "relation"}, forms


def _matches(ref: RefExp, o: Any) -> bool:
    return (ref.name is None or o.name == ref.name) and all(
        o.attributes[k] == v for k, v in ref.attrs.items()
    )


def _find_independently(ref: RefExp, g: SceneGraph) -> int:
    """The object an expression names, found without ``evaluate``: attribute-only ones by
    matching; ordinals by sorting the matching objects on their pixel centroid (left/right)
    or camera distance (closest); relations by the graph's relation list with an
    attribute-only anchor."""
    base = [o for o in g.objects if _matches(ref, o)]
    if ref.ordinal is not None:
        k, axis = ref.ordinal.k, ref.ordinal.axis
        key = {
            "left": lambda o: o.centroid[0],
            "right": lambda o: -o.centroid[0],
            "closest": lambda o: o.distance,
        }[axis]
        return sorted(base, key=key)[k - 1].id
    if ref.relation is not None:
        pred, anchor_ref = ref.relation.pred, ref.relation.anchor
        assert anchor_ref.ordinal is None and anchor_ref.relation is None
        anchors = [o.id for o in g.objects if _matches(anchor_ref, o)]
        assert len(anchors) == 1
        pairs = {(s, o) for s, o in (tuple(x) for x in g.relations_by_predicate[pred])}
        hits = [o.id for o in base if o.id != anchors[0] and (o.id, anchors[0]) in pairs]
        assert len(hits) == 1, (phrase(ref), hits)
        return hits[0]
    assert len(base) == 1, (phrase(ref), [o.id for o in base])
    return base[0].id


def test_ambiguous_expressions_evaluate_to_several_objects() -> None:
    from synthgen.world import WorldConfig, build_scene_graph, sample_rendered_scene

    scene, rendering = sample_rendered_scene(np.random.default_rng(5), WorldConfig())
    graph = build_scene_graph(scene, rendering)
    counts = Counter(o.name for o in graph.objects)
    name, count = counts.most_common(1)[0]
    assert len(evaluate(RefExp(name=name), graph)) == count
    assert evaluate(RefExp(name="cube", attrs={"color": "nonexistent"}), graph) == []


@pytest.mark.parametrize("style", list(styles.STYLES))
def test_styles_change_the_whole_image_deterministically(style: str) -> None:
    cfg = {"style_fraction": 1.0, "styles": [style], "types": []}
    records = list(synthgen.generate("edit", n=2, seed=1, config=cfg))
    again = list(synthgen.generate("edit", n=2, seed=1, config=cfg))
    for r, r2 in zip(records, again, strict=True):
        src, tgt = _arr(r, "source"), _arr(r, "target")
        assert np.array_equal(tgt, _arr(r2, "target"))
        assert (_arr(r, "mask") > 0).all()
        changed = (src != tgt).any(axis=2).mean()
        assert changed > (0.02 if style == "blur" else 0.2), changed
        assert r.category == "style" and r.edit_type == style
        assert STYLE_CHECKS[style](src.astype(np.int16), tgt.astype(np.int16)), style


def _gray(t: np.ndarray) -> bool:
    return bool((t[..., 0] == t[..., 1]).all() and (t[..., 1] == t[..., 2]).all())


def _blocks_constant(t: np.ndarray, n: int) -> bool:
    h, w = (t.shape[0] // n) * n, (t.shape[1] // n) * n
    tiles = t[:h, :w].reshape(h // n, n, w // n, n, 3)
    return bool((tiles == tiles[:, :1, :, :1]).all())


def _roughness(a: np.ndarray) -> float:
    """Mean squared horizontal step: blurring spreads each edge, shrinking it many times."""
    return float((np.diff(a, axis=1).astype(np.float64) ** 2).mean())


STYLE_CHECKS = {
    "grayscale": lambda s, t: _gray(t),
    "sepia": lambda s, t: bool((t[..., 0] >= t[..., 1]).all() and (t[..., 1] >= t[..., 2]).all()),
    "posterize": lambda s, t: not (t & 0x3F).any(),
    "pixelate": lambda s, t: _blocks_constant(t, 8),
    "line_drawing": lambda s, t: _gray(t) and len(np.unique(t)) == 2,
    "mosaic": lambda s, t: t[::10].mean() < 0.7 * t[1::10].mean(),
    "halftone": lambda s, t: _gray(t) and len(np.unique(t)) == 2,
    "blur": lambda s, t: _roughness(t) < 0.5 * _roughness(s),
    "invert": lambda s, t: bool((s + t == 255).all()),
    "warm": lambda s, t: (
        t[..., 0].mean() > s[..., 0].mean() and t[..., 2].mean() < s[..., 2].mean()
    ),
    "cool": lambda s, t: (
        t[..., 0].mean() < s[..., 0].mean() and t[..., 2].mean() > s[..., 2].mean()
    ),
    "solarize": lambda s, t: bool((t == np.where(s < 110, s, 255 - s)).all()),
    "emboss": lambda s, t: _gray(t) and abs(float(np.median(t)) - 128) < 20,
}
"""Each style's look, checked on the arrays here (not with ``styles.signature_holds``)."""


def test_style_checks_cover_every_style() -> None:
    assert set(STYLE_CHECKS) == set(styles.STYLES)


def test_every_type_is_drawn_by_default() -> None:
    records = list(synthgen.generate("edit", n=160, seed=2, config={"world": "shapes"}))
    kinds = Counter(r.edit_type for r in records)
    assert set(ops.EDIT_TYPES) <= set(kinds), set(ops.EDIT_TYPES) - set(kinds)
    assert len(ops.EDIT_TYPES) >= 18 and len(styles.STYLES) >= 10
    assert 0.1 < sum(kinds[s] for s in styles.STYLES) / len(records) < 0.35
