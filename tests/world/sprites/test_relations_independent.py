"""An independent check of every emitted relation against the rendering.

This module imports nothing that decides relations: it reads only the graph as plain data
(``graph.to_dict()``) and the ``ids`` / ``depth_order`` arrays, and re-derives each
predicate's visible evidence with numpy. 300 scenes by default, 2,000 with SYNTHGEN_SLOW=1.
"""

from __future__ import annotations

import collections
import os

import numpy as np

N = 2000 if os.environ.get("SYNTHGEN_SLOW") == "1" else 300

CONTACT = {
    "on",
    "sitting on",
    "standing on",
    "parked on",
    "lying on",
    "laying on",
    "walking on",
    "walking in",
    "growing on",
    "on back of",
}
BODY = {"holding", "carrying", "playing", "eating", "wearing", "riding"}
TOUCH = {
    "part of",
    "has",
    "of",
    "painted on",
    "says",
    "attached to",
    "mounted on",
    "at",
    "using",
    "covered in",
    "looking at",
    "watching",
}


PART = {"part of", "has", "of", "painted on", "says"}


def _parts_of(whole: int, objs: dict, rels) -> list[int]:
    """Ids of the parts (role "part") tied to thing ``whole`` by a part relation."""
    out = []
    for r in rels:
        if r["predicate"] not in PART:
            continue
        a, b = r["subject_id"], r["object_id"]
        other = b if a == whole else a if b == whole else None
        if other is not None and objs[other]["role"] == "part":
            out.append(other)
    return out


def _box(o):
    x, y, w, h = o["bbox"]
    return x, y, x + w, y + h


def _touch(a, b, m):
    return a[0] - m < b[2] and b[0] - m < a[2] and a[1] - m < b[3] and b[1] - m < a[3]


def _side_by_side(a, b) -> bool:
    """Side by side on one level: bottoms close (12 % of the taller), rows shared by half
    the shorter, a clear gap of 2 px up to half the narrower width."""
    ha, hb = a[3] - a[1], b[3] - b[1]
    rows = min(a[3], b[3]) - max(a[1], b[1])
    gap = max(a[0], b[0]) - min(a[2], b[2])
    return (
        abs(a[3] - b[3]) <= 0.12 * max(ha, hb)
        and rows >= 0.5 * min(ha, hb)
        and 2 <= gap <= max(4, 0.5 * min(a[2] - a[0], b[2] - b[0]))
    )


def check(
    pred: str,
    s: dict,
    o: dict,
    ids: np.ndarray,
    depth: np.ndarray,
    rule: str = "",
    objs: dict | None = None,
    rels: list | None = None,
) -> bool:
    sb, ob = _box(s), _box(o)
    H = ids.shape[0]
    if pred in CONTACT:
        # the subject's bottom rows touch the object's pixels ...
        b = sb[3] - 1
        rows = ids[max(b - 4, 0) : min(b + 5, H), sb[0] : sb[2]]
        if not (rows == o["id"]).any():
            return False
        # ... and the subject is drawn over (nearer than or level with) its support
        return s["depth_rank"] >= o["depth_rank"] or o["role"] == "backdrop"
    if pred == "in":
        dx, dy, dw, dh = s["drawn_box"]
        win_ids = ids[max(dy, 0) : max(dy + dh, 0), max(dx, 0) : max(dx + dw, 0)]
        win_dep = depth[max(dy, 0) : max(dy + dh, 0), max(dx, 0) : max(dx + dw, 0)]
        cover = win_ids == o["id"]
        # the container hides part of the subject: its pixels inside the subject's drawn
        # box are nearer than the subject, and the subject is not wholly visible
        return (
            bool(cover.any())
            and bool((win_dep[cover] > s["depth_rank"]).any())
            and s["visible_fraction"] < 1.0
        )
    if pred in BODY:
        return _touch(sb, ob, 4)
    if pred == "hanging from":
        return sb[1] >= ob[1] and sb[3] > ob[3] - 2 and sb[0] < ob[2] and ob[0] < sb[2]
    if pred == "flying in":
        return sb[3] <= ob[3] and sb[0] < ob[2] and ob[0] < sb[2]
    if pred == "over":
        return sb[3] <= ob[1] + 3 and sb[0] < ob[2] and ob[0] < sb[2]
    if pred == "under":
        return sb[0] < ob[2] and ob[0] < sb[2] and sb[1] >= ob[1] + 0.3 * (ob[3] - ob[1])
    if pred == "against":
        return abs(sb[3] - ob[3]) <= 8
    if pred == "along":
        return _touch(sb, ob, int(0.15 * H))
    if pred == "left of":
        vo = min(sb[3], ob[3]) - max(sb[1], ob[1])
        return sb[2] + 2 <= (ob[0] + ob[2]) / 2 and vo >= 0.3 * min(sb[3] - sb[1], ob[3] - ob[1])
    if pred == "above":
        ho = min(sb[2], ob[2]) - max(sb[0], ob[0])
        return sb[3] + 2 <= (ob[1] + ob[3]) / 2 and ho >= 0.3 * min(sb[2] - sb[0], ob[2] - ob[0])
    if pred in ("behind", "in front of"):
        if not _touch(sb, ob, 0):
            return False
        far, near = (s, o) if pred == "behind" else (o, s)
        if far["role"] == "backdrop":
            # a back plane (wall, mountain): drawn before the thing, which covers a good
            # part of it (>= 30 % of the thing's own box lies over the plane's box)
            fb, nb = _box(far), _box(near)
            iw = min(fb[2], nb[2]) - max(fb[0], nb[0])
            ih = min(fb[3], nb[3]) - max(fb[1], nb[1])
            return (
                far["names"][0]
                in ("wall", "mountain", "hill", "sky", "window", "door", "board", "curtain")
                and far["depth_rank"] < near["depth_rank"]
                and iw * ih >= 0.3 * near["bbox"][2] * near["bbox"][3]
            )
        return far["depth_rank"] < near["depth_rank"] and far["pos"][1] - near["pos"][1] >= 0.5
    if pred == "next to":
        if s["pos"] is not None and o["pos"] is not None and abs(s["pos"][1] - o["pos"][1]) > 1:
            return False
        return _side_by_side(sb, ob)
    if pred == "between":
        # the rule names the thing on the subject's other side: the subject stands side by
        # side with both, one on its left and one on its right
        third = objs[int(rule.rsplit(":", 1)[1])]
        tb = _box(third)
        if not (_side_by_side(sb, ob) and _side_by_side(sb, tb)):
            return False
        return (ob[2] <= sb[0] and tb[0] >= sb[2]) or (tb[2] <= sb[0] and ob[0] >= sb[2])
    if pred == "near":
        # ground positions at most 3 m apart
        return float(np.hypot(s["pos"][0] - o["pos"][0], s["pos"][1] - o["pos"][1])) <= 3.0
    if pred in PART and objs is not None:
        # a thing and its part: the part's box touches the box of the whole with the
        # whole's other parts (every part tied to it by a part relation in the graph)
        thing, part = (s, o) if s["role"] == "thing" and o["role"] == "part" else (o, s)
        if thing["role"] == "thing" and part["role"] == "part":
            x0, y0, x1, y1 = _box(thing)
            for k in _parts_of(thing["id"], objs, rels or ()):
                if k != part["id"]:
                    b = _box(objs[k])
                    x0, y0, x1, y1 = min(x0, b[0]), min(y0, b[1]), max(x1, b[2]), max(y1, b[3])
            return _touch((x0, y0, x1, y1), _box(part), 4)
    if pred in TOUCH:
        if pred in ("looking at", "watching"):
            # the object's centre lies on the side the subject faces
            anchors = {a["name"]: (a["x"], a["y"]) for a in s["anchors"]}
            head = anchors.get("head") or anchors.get("face")
            cx = (ob[0] + ob[2]) / 2
            d = 1 if s["facing"] == "right" else -1 if s["facing"] == "left" else 0
            return d != 0 and (cx - head[0]) * d > 0
        return _touch(sb, ob, 4)
    raise AssertionError(f"no check for predicate {pred!r}")


def test_every_relation_holds_in_the_rendering():
    from synthgen.world.sprites import SpritesConfig, SpriteWorld

    world, config = SpriteWorld(), SpritesConfig()
    bad = []
    seen = collections.Counter()
    for seed in range(N):
        scene = world.sample(np.random.default_rng(seed), config)
        r = world.render(scene, config)
        g = world.graph(scene, r, config).to_dict()
        ids, depth = np.asarray(r.ids), np.asarray(r.depth_order)
        objs = {o["id"]: o for o in g["objects"]}
        for o in g["objects"]:  # every named object is visible
            assert o["pixels"] >= config.min_visible_pixels
            assert (ids == o["id"]).sum() == o["pixels"]
        for rel in g["relationships"]:
            s, o = objs[rel["subject_id"]], objs[rel["object_id"]]
            seen[rel["predicate"]] += 1
            if not check(rel["predicate"], s, o, ids, depth, rel["rule"], objs, g["relationships"]):
                bad.append((seed, s["names"][0], rel["predicate"], o["names"][0], rel["rule"]))
    assert not bad, bad[:20]
    assert len(seen) >= 25, seen
