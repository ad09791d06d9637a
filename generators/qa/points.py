"""Point kinds (ProVision's segmentation and depth points): which candidate point lies on
the same / a different object as an anchor point (needs masks), and which of two points is
closer / farther from the camera (needs masks and depth).

Points are pixels of an object whose every pixel within :data:`MARGIN` pixels shows the
same object (never on an edge a viewer could read either way: where art is enlarged its
edges are blended over 2-3 pixels, and the id map gives a pixel to a sprite from half
opacity on), found by rejection sampling inside the object's box: a few microseconds, no
full-image mask work. Depth order of points on two objects comes
from the procedural world's ``closer than`` relation when the graph has it -- every surface
point of the nearer object is nearer than every one of the other, so the depth map cannot
disagree, and the depth map (milliseconds to compute) is not needed; otherwise from the
depth map itself with a 5 % margin.

Coordinates would give answers away (a point on the anchor's object is usually the nearest
candidate; a lower point is usually nearer the camera), so each kind draws that cue first
and balances it (``balance_label``).
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from synthgen.generators.qa.base import QA, Gate, QuestionKind, permutation, question_kinds
from synthgen.generators.qa.graph import QAGraph, QObject, WorldFacts
from synthgen.generators.qa.programs import pick, point_text
from synthgen.generators.qa.templates import Templates, either

DEPTH_MARGIN = 0.05
"""Relative depth margin when points are compared on the depth map itself."""
DEPTH_GAP_M = 0.5
"""Open worlds: two things' points are compared only when the things stand this many
metres apart in depth (and :data:`DEPTH_MARGIN` of the farther's distance): the sprite
world's depth map is a draw order, which also orders two curtains on one wall or two
people side by side."""
BAND = 3
"""Depth-point candidates differ in image height by at most this many rows."""
TRIES = 24
"""Random pixels tried per point before giving up on an object."""
MARGIN = 3
"""A point's disk of this radius (pixels) is all its object's in the id map. A point one
pixel off a tree's mask showed the tree's green: enlarged art is blended over 2-3 pixels
at its edges (bicubic), and the id map holds a sprite's pixels from alpha 128 on."""

Point = tuple[int, int]


def sample_point(
    g: QAGraph,
    o: QObject,
    rng: np.random.Generator,
    rows: tuple[int, int] | None = None,
) -> Point | None:
    """A pixel (x, y) of ``o`` whose disk of radius :data:`MARGIN` is ``o`` too, optionally
    with ``rows[0] <= y <= rows[1]``; None if none was hit in :data:`TRIES` tries."""
    ids = g.ids
    assert ids is not None
    x0, y0, w, h = o.bbox
    lo, hi = y0 + MARGIN, y0 + h - 1 - MARGIN
    if rows is not None:
        lo, hi = max(lo, rows[0]), min(hi, rows[1])
    if w <= 2 * MARGIN or hi < lo:
        return None
    at, width = _pixels(g)
    return _hit(at, width, o.id, x0 + MARGIN, w - 2 * MARGIN, lo, hi - lo + 1, rng.random)


def _hit(
    at: Any, width: int, k: int, left: int, across: int, lo: int, span: int, draw: Any
) -> Point | None:
    """The first of up to :data:`TRIES` uniform draws in the box (``left``, ``lo``,
    ``across`` x ``span``, at least :data:`MARGIN` inside the image) that lands on id ``k``
    with its whole disk (:data:`MARGIN`), else None; ``at``, ``width``: :func:`_pixels`.
    Two scalar draws per try (``draw``: the kinds' ``Draws``, whose scalars are read
    ahead): most objects hit within a few tries."""
    w1, w2, w3 = width, 2 * width, 3 * width
    for _ in range(TRIES):
        x = left + int(draw() * across)
        y = lo + int(draw() * span)
        i = y * w1 + x
        # the disk of radius MARGIN written out (a loop over offsets took twice as long),
        # its rim first: near an edge that is where a draw fails
        if (
            at[i] == k
            and at[i - w3] == k
            and at[i - 3] == k
            and at[i + 3] == k
            and at[i + w3] == k
            and at[i - w2 - 2] == k
            and at[i - w2 + 2] == k
            and at[i + w2 - 2] == k
            and at[i + w2 + 2] == k
            and at[i - w2 - 1] == k
            and at[i - w2 + 1] == k
            and at[i - w1 - 2] == k
            and at[i - w1 + 2] == k
            and at[i + w1 - 2] == k
            and at[i + w1 + 2] == k
            and at[i + w2 - 1] == k
            and at[i + w2 + 1] == k
            and at[i - w2] == k
            and at[i - 2] == k
            and at[i + 2] == k
            and at[i + w2] == k
            and at[i - w1 - 1] == k
            and at[i - w1 + 1] == k
            and at[i + w1 - 1] == k
            and at[i + w1 + 1] == k
            and at[i - w1] == k
            and at[i - 1] == k
            and at[i + 1] == k
            and at[i + w1] == k
        ):
            return x, y
    return None


def _pixels(g: QAGraph) -> tuple[Any, int]:
    """The id map read flat, ``at[y * width + x]``, and its width: a memoryview of its
    pixels in row order (a third of the time of ``ids.item(y, x)`` per pixel, half that of
    a 2-D memoryview's ``[y, x]``, the same values) when memoryview reads its format, else
    the flat array (numpy scalars, equal the same ids); once per view (kept in its
    ``__dict__``, as the cached properties are)."""
    got = g.__dict__.get("_pixels")
    if got is None:
        ids = np.asarray(g.ids)
        flat = ids.reshape(-1)  # row order: a view of a C-ordered map, else a copy
        at: Any = flat
        if ids.ndim == 2 and ids.size:
            try:
                view = memoryview(flat)
                if view[0] == ids.item(0, 0):
                    at = view
            except (TypeError, ValueError, NotImplementedError):
                pass
        got = g.__dict__["_pixels"] = (at, ids.shape[1] if ids.ndim == 2 else 0)
    return got


def one_thing(g: QAGraph, i: int) -> frozenset[int]:
    """The ids of the objects that are one thing with object ``i`` in an open world's
    graph (empty for others): the parts and things tied to it through placed relations
    that involve a part (a man, the shirt he wears, a sign, its post and its letters; not
    the floor a table's leg stands on), and the things placed on, in, or held, worn,
    carried by it or it by them. Their points are not compared: at one image height, a
    man's arm and his shirt are at one depth to a viewer though the drawing puts one layer
    over the other, and whether the shirt is "another object" than the man is unclear.
    Found once per view and object (kept in the view's ``__dict__``)."""
    table = g.__dict__.get("_one_thing")
    if table is None:
        table = g.__dict__["_one_thing"] = _one_things(g)
    return table.get(i, _NONE)


_NONE: frozenset[int] = frozenset()


def _one_things(g: QAGraph) -> dict[int, frozenset[int]]:
    """Object id -> :func:`one_thing` of it, for every object that has any."""
    facts = g.world
    if facts is None:
        return {}
    role = facts.role
    root: dict[int, int] = {}  # union by the smaller id: a component's root is its least id
    partners: dict[int, set[int]] = {}

    def find(i: int) -> int:
        while root.get(i, i) != i:
            i = root[i]
        return i

    for a, _, b in facts.closed:
        partners.setdefault(a, set()).add(b)
        partners.setdefault(b, set()).add(a)
        ra, rb = role.get(a), role.get(b)
        if "part" in (ra, rb) and ra != "backdrop" and rb != "backdrop":
            fa, fb = find(a), find(b)
            if fa != fb:
                root[max(fa, fb)] = min(fa, fb)
    members: dict[int, set[int]] = {}
    for i in list(root):
        members.setdefault(find(i), set()).add(i)
    for r, group in members.items():
        group.add(r)
    out: dict[int, frozenset[int]] = {}
    for i in {*partners, *root}:
        got = set(partners.get(i, ()))
        group = members.get(find(i))
        if group is not None:
            got |= group
        got.discard(i)
        out[i] = frozenset(got)
    return out


def _points(g: QAGraph, o: QObject, rng: np.random.Generator, n: int) -> list[Point]:
    """Up to ``n`` distinct interior points of ``o``: :func:`sample_point` up to ``n``
    times (the same draws), its set-up done once; none after a call that found none (an
    object whose interior is so rare in its box would miss again: a small or thin thing,
    which its callers, needing several points, give up on)."""
    ids = g.ids
    assert ids is not None
    x0, y0, w, h = o.bbox
    lo, hi = y0 + MARGIN, y0 + h - 1 - MARGIN
    if w <= 2 * MARGIN or hi < lo:
        return []
    (at, width), draw = _pixels(g), rng.random
    out: set[Point] = set()
    for _ in range(n):
        p = _hit(at, width, o.id, x0 + MARGIN, w - 2 * MARGIN, lo, hi - lo + 1, draw)
        if p is None:
            break
        out.add(p)
    return sorted(out)


def _plain_points(g: QAGraph, o: QObject, rng: np.random.Generator, n: int) -> list[Point]:
    """What :func:`_points` gives, by calling :func:`sample_point` (the reference)."""
    out = set()
    for _ in range(n):
        p = sample_point(g, o, rng)
        if p is None:
            break
        out.add(p)
    return sorted(out)


class _PointObject(QuestionKind):
    """Which candidate point lies on the same (a different) object as an anchor point. The
    answer's rank by distance to the anchor among the three candidates is drawn first, the
    candidates (points of the anchor's object and of its nearest neighbours) chosen to
    match, and the rank balanced: otherwise the point nearest the anchor would nearly
    always be the one on its object."""

    family = "segmentation"
    answer_type = "point"
    requires = frozenset({"masks"})
    balance = True
    gated = True
    balance_floor = 0.1  # objects are far apart: other ranks are rare, and kept
    same: ClassVar[bool]
    target_weights: ClassVar[tuple[float, float, float]]
    """How often each rank of the answer's distance to the anchor is tried (the rare ones
    more often, so that fewer proposals are balanced away)."""

    def balance_label(self, qa: QA) -> str:
        ax, ay = qa.program["anchor"]
        d = [math.hypot(x - ax, y - ay) for x, y in qa.program["points"]]
        answer = qa.program["options"].index(qa.answer)
        return f"near{sorted(d).index(d[answer])}"

    def ask(self, g: QAGraph, rng: np.random.Generator, t: Templates) -> QA | None:
        return self.propose(g, rng, t)

    def propose(
        self, g: QAGraph, rng: np.random.Generator, t: Templates, gate: Gate | None = None
    ) -> QA | None:
        if len(g.objects) < 3:
            return None
        # Ranks other than "nearest" are hard to realise, so they are tried more often.
        u = rng.random()
        w = self.target_weights
        target = 0 if u < w[0] else 1 if u < w[0] + w[1] else 2
        if gate is not None and not gate(self, "", f"near{target}", rng):
            return None
        home = pick(rng, g.objects)
        own = _points(g, home, rng, 5)
        if len(own) < 3:
            return None
        anchor = pick(rng, own)
        own = [p for p in own if p != anchor]
        # Neighbours first: points of nearby objects can be nearer the anchor than the far
        # end of its own object, which is what ranks other than "nearest" need.
        others = g.objects
        if g.world is not None:  # not a part of the same thing, nor a thing held, worn, ...
            bound = one_thing(g, home.id)
            if bound:
                others = [o for o in others if o.id not in bound]
        near = _nearest_two(home, others)
        if not _may_rank(anchor, own, near, target, self.same):
            return None  # no points of these boxes could give the drawn rank
        pool = [(o.id, p) for o in near for p in _points(g, o, rng, 3)]
        if self.same:  # answer on the anchor's object, the others on two other objects
            found = _choose(anchor, [(home.id, p) for p in own], pool, target, rng)
        else:  # answer on another object, the others on the anchor's object
            found = _choose(anchor, pool, [(home.id, p) for p in own], target, rng)
        if found is None:
            return None
        answer, rest = found
        candidates = [answer, *rest]
        candidates = [candidates[i] for i in permutation(rng, 3)]
        texts = [point_text(*p) for p in candidates]
        program = {
            "op": "point_object",
            "anchor": list(anchor),
            "points": [list(p) for p in candidates],
            "options": texts,
            "same": self.same,
        }
        return self.make(
            t,
            rng,
            point_text(*answer),
            program,
            anchor=point_text(*anchor),
            options=either(texts, ""),
            among=either(texts, "", "and"),
        )


def _choose(
    anchor: Point,
    answers: list[tuple[int, Point]],
    rest: list[tuple[int, Point]],
    target: int,
    rng: np.random.Generator,
) -> tuple[Point, list[Point]] | None:
    """An answer and two other candidates such that exactly ``target`` of the two are at
    least as near the anchor as the answer. The two come from two different objects when
    ``rest`` spans several (the "same" kind), else are two points of one object."""
    order = permutation(rng, len(answers))
    dist = math.dist
    away = [dist(anchor, e[1]) for e in rest]  # each other candidate's distance, once
    spread = len({o for o, _ in rest}) > 1
    for i in order:
        a = answers[i][1]
        d = dist(anchor, a)
        near = [e for e, de in zip(rest, away, strict=True) if de <= d]
        far = [e for e, de in zip(rest, away, strict=True) if de > d]
        groups = [near] * target + [far] * (2 - target)
        if not groups[0]:
            continue
        e1 = pick(rng, groups[0])
        second = [e for e in groups[1] if e[1] != e1[1] and (not spread or e[0] != e1[0])]
        if second:
            return a, [e1[1], pick(rng, second)[1]]
    return None


def _may_rank(
    anchor: Point, own: list[Point], near: list[QObject], target: int, same: bool
) -> bool:
    """Whether :func:`_choose` can find ``target`` with points of ``near`` (the other
    objects) and ``own`` (the anchor's object's other points), judged from the boxes that
    hold the others' points before any is drawn: a point of a box is no nearer the anchor
    than the box's nearest pixel, nor farther than its farthest corner. False only when no
    draw could succeed (a necessary condition of :func:`_choose`'s: its answer and two
    others, ``target`` of them at least as near as the answer)."""
    if not own or not near or (same and len(near) < 2):
        return True  # a pool of one object: _choose decides (nothing to prune on)
    d = sorted(math.dist(anchor, p) for p in own)
    ranges = []
    for o in near:
        x0, y0, w, h = o.bbox
        lo_x, hi_x = x0 + MARGIN, x0 + w - 1 - MARGIN
        lo_y, hi_y = y0 + MARGIN, y0 + h - 1 - MARGIN
        if hi_x < lo_x or hi_y < lo_y:
            ranges.append((math.inf, -math.inf))  # no point can be drawn there
            continue
        ax, ay = anchor
        dx = lo_x - ax if ax < lo_x else ax - hi_x if ax > hi_x else 0
        dy = lo_y - ay if ay < lo_y else ay - hi_y if ay > hi_y else 0
        far_x, far_y = max(abs(ax - lo_x), abs(ax - hi_x)), max(abs(ay - lo_y), abs(ay - hi_y))
        ranges.append((math.hypot(dx, dy), math.hypot(far_x, far_y)))
    if same:  # the answer is one of ``own``, the two others from two other objects
        (n1, f1), (n2, f2) = ranges[:2]
        if target == 0:  # both farther than the answer
            return f1 > d[0] and f2 > d[0]
        if target == 2:  # both at least as near
            return n1 <= d[-1] and n2 <= d[-1]
        return (n1 <= d[-1] and f2 > d[0]) or (n2 <= d[-1] and f1 > d[0])
    if len(d) < 2:
        return True
    # the answer is another object's, the two others of ``own``
    for lo, hi in ranges:
        if target == 0 and lo < d[-2]:
            return True
        if target == 1 and lo < d[-1] and hi >= d[0]:
            return True
        if target == 2 and hi >= d[1]:
            return True
    return False


def _gap(a: QObject, b: QObject) -> float:
    """Distance between two boxes (0 when they overlap)."""
    ax, ay, aw, ah = a.bbox
    bx, by, bw, bh = b.bbox
    dx = max(0, max(ax, bx) - min(ax + aw, bx + bw))
    dy = max(0, max(ay, by) - min(ay + ah, by + bh))
    return math.hypot(dx, dy)


def _nearest_two(home: QObject, objects: list[QObject]) -> list[QObject]:
    """``sorted((o for o in objects if o is not home), key=lambda o: _gap(home, o))[:2]``
    (ties in list order), without sorting them all: the two objects whose boxes are
    nearest ``home``'s."""
    ax, ay, aw, ah = home.bbox
    ax1, ay1 = ax + aw, ay + ah
    hypot = math.hypot
    g1 = g2 = math.inf
    o1 = o2 = None
    for o in objects:
        if o is home:
            continue
        bx, by, bw, bh = o.bbox
        dx = bx - ax1 if bx > ax1 else ax - (bx + bw) if ax > bx + bw else 0
        dy = by - ay1 if by > ay1 else ay - (by + bh) if ay > by + bh else 0
        gap = hypot(dx, dy)
        if gap < g1:  # strictly nearer: an equal gap keeps the earlier object first
            g2, o2 = g1, o1
            g1, o1 = gap, o
        elif gap < g2:
            g2, o2 = gap, o
    return [o for o in (o1, o2) if o is not None]


def _rank(anchor: Point, answer: Point, rest: list[Point]) -> int:
    """How many other candidates are at least as near the anchor as the answer."""
    d = math.dist(anchor, answer)
    return sum(1 for p in rest if math.dist(anchor, p) <= d)


@question_kinds.register
class PointSameObject(_PointObject):
    """Which of three points lies on the same object as the anchor point."""

    name = "point_same_object"
    same = True
    target_weights = (0.15, 0.6, 0.25)


@question_kinds.register
class PointDifferentObject(_PointObject):
    """Which of three points lies on a different object than the anchor point."""

    name = "point_different_object"
    same = False
    target_weights = (0.5, 0.35, 0.15)


class _PointDepth(QuestionKind):
    """Which of two points, on two objects, is closer (farther). Image position is a depth
    cue a question's coordinates would give away: lower in the image and nearer the middle
    column usually means nearer the camera. So the points lie within :data:`BAND` rows of
    each other, whether the answer is the lower one and whether it is the more central one
    are drawn first, and both are balanced (``balance_label``)."""

    family = "depth"
    answer_type = "point"
    requires = frozenset({"masks", "depth"})
    balance = True
    gated = True
    balance_floor = 0.0
    closer: ClassVar[bool]

    def balance_label(self, qa: QA) -> str:
        (xa, ya), (xb, yb) = qa.program["points"]
        if qa.program["options"].index(qa.answer) == 1:
            (xa, ya), (xb, yb) = (xb, yb), (xa, ya)
        mid = qa.program.get("width", 0) / 2
        return f"lower{int(ya > yb)}|central{int(abs(xa - mid) < abs(xb - mid))}"

    def ask(self, g: QAGraph, rng: np.random.Generator, t: Templates) -> QA | None:
        return self.propose(g, rng, t)

    def propose(
        self, g: QAGraph, rng: np.random.Generator, t: Templates, gate: Gate | None = None
    ) -> QA | None:
        """A graph that decides depth by relations: the cues are drawn first and gated, then
        a pair is found to match them. Else the pair is found first, its cues read from its
        points and gated then (the same law of accepted questions: each label kept in
        proportion to how often it comes times its weight, as drawing it first and keeping
        a match does; a quarter of the depth-map work is no longer thrown away)."""
        mid = (g.width - 1) / 2
        decided = g.decided or "closer than" in g.pairs
        find = self._from_relations if decided else self._from_depth
        found = find(g, rng, mid, gate)
        if found is None:
            return None
        answer, pair = found
        return self._make(g, rng, t, answer, pair)

    def _from_relations(
        self, g: QAGraph, rng: np.random.Generator, mid: float, gate: Gate | None
    ) -> tuple[Point, list[Point]] | None:
        """(answer, the two points) of a pair the graph's "closer than" decides, matching
        cues drawn first and gated; None if no pair matches."""
        lower, central = rng.random() < 0.5, rng.random() < 0.5
        if gate is not None and not gate(self, "", f"lower{int(lower)}|central{int(central)}", rng):
            return None

        def fits(a: Point, b: Point) -> bool:
            return (
                a[1] != b[1]
                and (a[1] > b[1]) == lower
                and (abs(a[0] - mid) < abs(b[0] - mid)) == central
            )

        # A decided pair whose rows allow the drawn height order within the band: the
        # first such pair in a random order.
        pairs = sorted(g.pairs.get("closer than", ()))
        chosen = None
        for i in permutation(rng, len(pairs)):
            n_id, f_id = pairs[i]
            win, other = (n_id, f_id) if self.closer else (f_id, n_id)
            rows = _answer_rows(g.by_id[win], g.by_id[other], lower)
            if rows is not None:
                chosen = (g.by_id[win], g.by_id[other], rows)
                break
        if chosen is None:
            return None
        win, other, rows = chosen
        a = sample_point(g, win, rng, rows)
        if a is None:
            return None
        band = (a[1] - BAND, a[1] - 1) if lower else (a[1] + 1, a[1] + BAND)
        found = [b for b in (sample_point(g, other, rng, band) for _ in range(4)) if b]
        found = [b for b in found if fits(a, b)]
        if not found:
            return None
        return a, [a, found[0]]

    def _from_depth(
        self, g: QAGraph, rng: np.random.Generator, mid: float, gate: Gate | None
    ) -> tuple[Point, list[Point]] | None:
        """(answer, the two points) read from the depth map, or None: no pair, a point
        missed, depths within the margin, points on one row, or the gate said no."""
        found = _depth_pair(g, rng)
        if found is None:
            return None
        first, second, rows = found
        a = sample_point(g, first, rng, rows)
        b = sample_point(g, second, rng, (a[1] - BAND, a[1] + BAND)) if a else None
        if a is None or b is None or a[1] == b[1]:
            return None
        pair = [a, b]
        win_index = self._depth_winner(g, pair)
        if win_index is None or not _agrees_in_depth(
            g, first.id, second.id, win_index, self.closer
        ):
            return None
        (xa, ya), (xb, yb) = pair[win_index], pair[1 - win_index]
        label = f"lower{int(ya > yb)}|central{int(abs(xa - mid) < abs(xb - mid))}"
        if gate is not None and not gate(self, "", label, rng):
            return None
        return pair[win_index], pair

    def _make(
        self, g: QAGraph, rng: np.random.Generator, t: Templates, answer: Point, pair: list[Point]
    ) -> QA:
        points = pair if rng.random() < 0.5 else pair[::-1]
        texts = [point_text(*p) for p in points]
        program = {
            "op": "point_depth",
            "points": [list(p) for p in points],
            "options": texts,
            "most": "closer" if self.closer else "farther",
            "width": g.width,
        }
        return self.make(
            t,
            rng,
            point_text(*answer),
            program,
            options=either(texts, ""),
            among=either(texts, "", "and"),
        )

    def _depth_winner(self, g: QAGraph, points: list[Point]) -> int | None:
        """From the depth map, with a relative margin of :data:`DEPTH_MARGIN`."""
        d = [g.depth_at(x, y) for x, y in points]
        near, far = (0, 1) if d[0] < d[1] else (1, 0)
        if d[near] * (1 + DEPTH_MARGIN) >= d[far]:
            return None
        return near if self.closer else far


def _depth_pair(
    g: QAGraph, rng: np.random.Generator
) -> tuple[QObject, QObject, tuple[int, int]] | None:
    """Two objects whose points can be compared, and the rows where the first's point can
    lie: a random object, then one of the others whose rows that hold points come within
    :data:`BAND` of its own (no other can give a second point in the band), not one thing
    with it (its layers: a viewer sees no depth between them); None if there is none."""
    if len(g.objects) < 2:
        return None
    first = pick(rng, g.objects)
    _, y0, w, h = first.bbox
    lo, hi = y0 + MARGIN, y0 + h - 1 - MARGIN
    if w <= 2 * MARGIN or hi < lo:
        return None
    bound = one_thing(g, first.id)
    facts = g.world
    near = []
    for o in g.objects:
        _, oy, ow, oh = o.bbox
        o_lo, o_hi = oy + MARGIN, oy + oh - 1 - MARGIN
        if (
            o is not first
            and ow > 2 * MARGIN
            and o_lo <= hi + BAND
            and o_hi >= lo - BAND
            and o.id not in bound
            and (facts is None or apart_in_depth(facts, first.id, o.id))
        ):
            near.append((o, (max(lo, o_lo - BAND), min(hi, o_hi + BAND))))
    if not near:
        return None
    second, rows = pick(rng, near)
    return first, second, rows


def _agrees_in_depth(g: QAGraph, first: int, second: int, win: int, closer: bool) -> bool:
    """Whether the depth map's winner (``win``: 0 for ``first``'s point) is the thing the
    world places nearer (farther), where both things' depths are known."""
    facts = g.world
    if facts is None:
        return True
    za, zb = facts.depth.get(first), facts.depth.get(second)
    if za is None or zb is None:
        return True
    nearer = 0 if za < zb else 1
    return win == (nearer if closer else 1 - nearer)


def apart_in_depth(facts: WorldFacts, a: int, b: int) -> bool:
    """Whether a viewer can tell which of objects ``a`` and ``b`` of an open world is nearer:
    two things at known depths (:attr:`WorldFacts.depth`) at least :data:`DEPTH_GAP_M` and
    :data:`DEPTH_MARGIN` of the farther's distance apart, or such a thing and a backdrop
    piece (the floor, a wall, the sky: the thing stands in front of it). Not two backdrop
    pieces (the two curtains of one window), nor a part, nor a thing hung, worn or
    flying, whose depth the picture does not show."""
    depth = facts.depth
    za, zb = depth.get(a), depth.get(b)
    if za is not None and zb is not None:
        return abs(za - zb) >= max(DEPTH_GAP_M, DEPTH_MARGIN * max(za, zb))
    role = facts.role
    return (za is not None and role.get(b) == "backdrop") or (
        zb is not None and role.get(a) == "backdrop"
    )


def _answer_rows(win: QObject, other: QObject, lower: bool) -> tuple[int, int] | None:
    """Rows where the answer's point can lie so that a point of ``other`` lies within
    :data:`BAND` rows above it (``lower``) or below it; None if there are none."""
    w0, w1 = win.bbox[1] + 1, win.bbox[1] + win.bbox[3] - 2
    o0, o1 = other.bbox[1] + 1, other.bbox[1] + other.bbox[3] - 2
    lo, hi = (
        (max(w0, o0 + 1), min(w1, o1 + BAND)) if lower else (max(w0, o0 - BAND), min(w1, o1 - 1))
    )
    return (lo, hi) if lo <= hi else None


@question_kinds.register
class PointCloser(_PointDepth):
    """Which of two points (on different objects) is closer to the camera."""

    name = "point_closer"
    closer = True


@question_kinds.register
class PointFarther(_PointDepth):
    """Which of two points (on different objects) is farther from the camera."""

    name = "point_farther"
    closer = False
