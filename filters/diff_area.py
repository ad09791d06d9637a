"""``diff_area``: an oracle filter that checks an image pair's difference boxes against pixels.

A pair of images and the changes that are supposed to separate them (each with its expected
region box, from the scene graph or the edit mask) pass only when the pixels agree:

1. **occlusion** -- every changed object shows at least ``min_visible_fraction`` of itself in
   each image it is in (a change behind another object is not a fair question);
2. the **pixel difference** ``max over channels |A - B| > threshold`` is cut into 8-connected
   components (run-length labelling in numpy + a union-find over runs: no scipy in the core);
   every component must overlap an expected box (else: an unexplained difference) and is
   assigned to the box it overlaps most. When the expected boxes are apart and hold every
   differing pixel, the answer is known without labelling (``_measure_in_boxes``: each box's
   components are its differing pixels), which is the common case and skips the labelling;
3. per change, the **area** of its differing pixels must reach ``min_area_fraction`` of the
   image (Img-Diff drops differences under 1/400 of the image), and the box of its components
   must match the expected box with **IoU** >= ``min_iou`` (0.5, Img-Diff's NMS level).

``ignore`` masks pixels out of the comparison (a function of a window, so only the changed
window is computed). The procedural recipe passes the pixels that are background in both
images: ground shadows are alpha-blended onto the background only (objects are drawn over
them, ids stay 0), so a changed object's shadow differences lie there and nowhere else, and
the ground-truth region is the object, not its shadow. With ``shadows=False`` the recipe
passes no mask, so there every pixel is compared.

The verdict's score is the smallest IoU (0 when a check fails before IoUs exist), its
threshold ``min_iou``, its detail the first failure. Boxes are (x, y, w, h) like the scene
graph's ``bbox``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageChops

from synthgen.filter import Filter, register_filter
from synthgen.records import Verdict

Box = tuple[int, int, int, int]
"""(x, y, w, h) in pixels; w = x_max - x_min + 1."""
Picture = np.ndarray | Image.Image
"""An image as an (H, W, C) / (H, W) uint8 array or a Pillow image (both of one pair alike)."""


@dataclass(frozen=True)
class ExpectedChange:
    """One change as the ground truth states it."""

    box: Box
    label: str = "change"
    visible_fraction: float = 1.0
    """Smallest visible fraction of the changed object over the images it is in (1: n/a)."""


@dataclass(frozen=True)
class DiffCandidate:
    image_a: Picture
    image_b: Picture
    changes: Sequence[ExpectedChange]
    ignore: Callable[[slice, slice], np.ndarray] | None = None
    """(rows, cols) -> bool array of that window: pixels left out of the comparison."""


@dataclass(frozen=True)
class Components:
    """8-connected components of a mask: inclusive boxes (x0, y0, x1, y1) and pixel counts."""

    boxes: np.ndarray  # (k, 4) int64
    counts: np.ndarray  # (k,) int64


def difference_mask(a: Picture, b: Picture, threshold: int) -> tuple[np.ndarray, int, int]:
    """Pixels where some channel differs by more than ``threshold``, as (mask, y0, x0): the
    mask covers only the smallest window holding every pixel that differs at all (offset
    y0, x0), so the per-channel work touches the changed window, not the whole image.

    Pillow images are compared in C (``ImageChops.difference`` and its ``getbbox``) without
    converting the whole images to arrays; arrays are compared in numpy. Same result."""
    if isinstance(a, Image.Image):
        diff = ImageChops.difference(a, b)
        box = diff.getbbox()
        if box is None:
            return np.zeros((0, 0), dtype=bool), 0, 0
        d = np.asarray(diff.crop(box))
        x0, y0 = box[0], box[1]
    else:
        h = a.shape[0]
        ne = a.reshape(h, -1) != b.reshape(h, -1)
        rows = np.flatnonzero(ne.any(axis=1))
        if not len(rows):
            return np.zeros((0, 0), dtype=bool), 0, 0
        y0, y1 = int(rows[0]), int(rows[-1]) + 1
        cols = np.flatnonzero(ne[y0:y1].any(axis=0))
        ch = a.shape[2] if a.ndim == 3 else 1
        x0, x1 = int(cols[0]) // ch, int(cols[-1]) // ch + 1
        wa, wb = a[y0:y1, x0:x1], b[y0:y1, x0:x1]
        d = np.maximum(wa, wb)
        d -= np.minimum(wa, wb)
    over = d > threshold
    if over.ndim == 3:
        mask = over[..., 0]
        for c in range(1, over.shape[2]):
            mask = mask | over[..., c]
    else:
        mask = over
    return mask, y0, x0


def connected_components(mask: np.ndarray) -> Components:
    """8-connected components of a bool mask.

    Runs of each row are found with one ``np.diff``; runs on neighbouring rows that touch
    (including diagonally) are joined with a union-find over runs, whose number is small
    (a few per row of each component) -- far cheaper than a pixel flood fill in Python.
    """
    empty = Components(np.zeros((0, 4), dtype=np.int64), np.zeros(0, dtype=np.int64))
    rows_any = mask.any(axis=1)
    if not rows_any.any():
        return empty
    ys = np.flatnonzero(rows_any)
    y0, y1 = int(ys[0]), int(ys[-1])
    cols_any = mask[y0 : y1 + 1].any(axis=0)
    xs = np.flatnonzero(cols_any)
    x0, x1 = int(xs[0]), int(xs[-1])
    m = mask[y0 : y1 + 1, x0 : x1 + 1]
    h, w = m.shape
    padded = np.zeros((h, w + 2), dtype=np.int8)
    padded[:, 1:-1] = m
    edges = np.diff(padded, axis=1)
    sr, sc = np.nonzero(edges == 1)  # run starts (row-major order)
    _, ec = np.nonzero(edges == -1)  # run ends, exclusive, same order
    n = len(sr)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    starts = sc.tolist()
    ends = ec.tolist()
    # runs of row r occupy [first[r], first[r + 1]) in the row-major lists
    first = np.searchsorted(sr, np.arange(h + 1)).tolist()
    for r in range(1, h):
        i, i_end = first[r - 1], first[r]
        j, j_end = first[r], first[r + 1]
        while i < i_end and j < j_end:
            # touching (8-connectivity): [s1, e1) and [s2, e2) with s2 <= e1 and s1 <= e2
            if starts[j] <= ends[i] and starts[i] <= ends[j]:
                a, b = find(i), find(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            if ends[i] < ends[j]:
                i += 1
            else:
                j += 1
    roots = np.array([find(i) for i in range(n)], dtype=np.int64)
    labels, inverse = np.unique(roots, return_inverse=True)
    k = len(labels)
    big = np.iinfo(np.int64).max
    bx0 = np.full(k, big)
    by0 = np.full(k, big)
    bx1 = np.full(k, -1)
    by1 = np.full(k, -1)
    np.minimum.at(bx0, inverse, sc)
    np.maximum.at(bx1, inverse, ec - 1)
    np.minimum.at(by0, inverse, sr)
    np.maximum.at(by1, inverse, sr)
    counts = np.bincount(inverse, weights=ec - sc, minlength=k).astype(np.int64)
    boxes = np.stack([bx0 + x0, by0 + y0, bx1 + x0, by1 + y0], axis=1).astype(np.int64)
    return Components(boxes, counts)


def xyxy(box: Box) -> tuple[int, int, int, int]:
    x, y, w, h = box
    return x, y, x + w - 1, y + h - 1


def iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """IoU of two inclusive (x0, y0, x1, y1) pixel boxes."""
    iw = min(a[2], b[2]) - max(a[0], b[0]) + 1
    ih = min(a[3], b[3]) - max(a[1], b[1]) + 1
    inter = max(iw, 0) * max(ih, 0)
    area_a = (a[2] - a[0] + 1) * (a[3] - a[1] + 1)
    area_b = (b[2] - b[0] + 1) * (b[3] - b[1] + 1)
    return inter / (area_a + area_b - inter)


@dataclass(frozen=True)
class Measured:
    """What the pixels say about each change: its difference box (x, y, w, h; None if no
    differing pixel was assigned to it) and its differing pixel count."""

    boxes: tuple[Box | None, ...]
    pixels: tuple[int, ...]
    unexplained: tuple[tuple[int, int, int, int], ...]  # xyxy boxes matching no change


def apart(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """Whether two inclusive (x0, y0, x1, y1) pixel boxes neither overlap nor touch
    (8-connectivity)."""
    return a[0] > b[2] + 1 or b[0] > a[2] + 1 or a[1] > b[3] + 1 or b[1] > a[3] + 1


def _apart(boxes: list[tuple[int, int, int, int]]) -> bool:
    """Whether inclusive boxes pairwise neither overlap nor touch (8-connectivity)."""
    return all(apart(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def _measure_in_boxes(
    mask: np.ndarray, y0: int, x0: int, expected: list[tuple[int, int, int, int]]
) -> Measured | None:
    """The components' answer without labelling, or None where it might differ.

    When the expected boxes are apart (no two overlap or touch) and every differing pixel lies
    inside one of them, no component can leave its box (it would need a pixel outside every
    box to reach another): each box's components are exactly its differing pixels, so their
    box and count are those of the mask inside it, and nothing is unexplained."""
    if not _apart(expected):
        return None
    h, w = mask.shape
    boxes: list[Box | None] = []
    pixels = []
    for bx0, by0, bx1, by1 in expected:
        r0, r1 = max(by0 - y0, 0), min(by1 - y0 + 1, h)
        c0, c1 = max(bx0 - x0, 0), min(bx1 - x0 + 1, w)
        sub = mask[r0:r1, c0:c1] if r0 < r1 and c0 < c1 else mask[0:0, 0:0]
        count = int(np.count_nonzero(sub))
        pixels.append(count)
        if not count:
            boxes.append(None)
            continue
        ys = np.flatnonzero(sub.any(axis=1))
        xs = np.flatnonzero(sub.any(axis=0))
        boxes.append(
            (
                int(xs[0]) + c0 + x0,
                int(ys[0]) + r0 + y0,
                int(xs[-1] - xs[0]) + 1,
                int(ys[-1] - ys[0]) + 1,
            )
        )
    if sum(pixels) != int(np.count_nonzero(mask)):
        return None  # some pixel lies outside every box: its component decides
    return Measured(tuple(boxes), tuple(pixels), ())


def _measure_components(
    mask: np.ndarray, y0: int, x0: int, expected: list[tuple[int, int, int, int]]
) -> Measured:
    """Label the mask; assign each component to the expected box its box overlaps most."""
    comps = connected_components(mask)
    comps.boxes[:, [0, 2]] += x0
    comps.boxes[:, [1, 3]] += y0
    exp = np.array(expected, dtype=np.int64).reshape(-1, 4)
    k = len(expected)
    acc: list[list[int] | None] = [None] * k
    pixels = [0] * k
    unexplained = []
    for box, count in zip(comps.boxes.tolist(), comps.counts.tolist(), strict=True):
        if k:
            iw = np.minimum(exp[:, 2], box[2]) - np.maximum(exp[:, 0], box[0]) + 1
            ih = np.minimum(exp[:, 3], box[3]) - np.maximum(exp[:, 1], box[1]) + 1
            inter = np.clip(iw, 0, None) * np.clip(ih, 0, None)
        else:
            inter = np.zeros(0, dtype=np.int64)
        if not inter.any():
            unexplained.append(tuple(box))
            continue
        j = int(inter.argmax())
        cur = acc[j]
        acc[j] = (
            box
            if cur is None
            else [
                min(cur[0], box[0]),
                min(cur[1], box[1]),
                max(cur[2], box[2]),
                max(cur[3], box[3]),
            ]
        )
        pixels[j] += count
    boxes = tuple(
        None if b is None else (b[0], b[1], b[2] - b[0] + 1, b[3] - b[1] + 1) for b in acc
    )
    return Measured(boxes, tuple(pixels), tuple(unexplained))  # type: ignore[arg-type]


def measure(candidate: DiffCandidate, threshold: int, labels: bool = False) -> Measured:
    """Components of the pixel difference, assigned to the expected changes.

    ``labels=True`` always labels the components (the reference the shortcut of
    ``_measure_in_boxes`` must agree with; tests compare the two)."""
    mask, y0, x0 = difference_mask(candidate.image_a, candidate.image_b, threshold)
    h, w = mask.shape
    if candidate.ignore is not None and mask.size:
        mask &= ~candidate.ignore(slice(y0, y0 + h), slice(x0, x0 + w))
    expected = [xyxy(c.box) for c in candidate.changes]
    if not labels:
        got = _measure_in_boxes(mask, y0, x0, expected)
        if got is not None:
            return got
    return _measure_components(mask, y0, x0, expected)


@register_filter
class DiffArea(Filter):
    """Oracle check of an image pair's difference regions (see the module docstring)."""

    name = "diff_area"
    kind = "oracle"

    def __init__(
        self,
        threshold: int = 16,
        min_area_fraction: float = 1 / 400,
        min_iou: float = 0.5,
        min_visible_fraction: float = 0.5,
    ) -> None:
        self.threshold = threshold
        self.min_area_fraction = min_area_fraction
        self.min_iou = min_iou
        self.min_visible_fraction = min_visible_fraction

    def _fail(self, detail: str, score: float = 0.0) -> Verdict:
        return self.verdict(
            False,
            score=round(score, 6),
            threshold=self.min_iou,
            score_type="diff_box_iou",
            detail=detail,
        )

    def check(self, candidate: DiffCandidate) -> Verdict:
        changes = list(candidate.changes)
        if not changes:
            return self._fail("no change to check")
        for c in changes:
            if c.visible_fraction < self.min_visible_fraction:
                return self._fail(
                    f"{c.label} hidden by occlusion: visible fraction "
                    f"{c.visible_fraction:.2f} < {self.min_visible_fraction:g}"
                )
        a = candidate.image_a
        w, h = a.size if isinstance(a, Image.Image) else (a.shape[1], a.shape[0])
        min_pixels = self.min_area_fraction * h * w
        got = measure(candidate, self.threshold)
        if got.unexplained:
            return self._fail(
                f"{len(got.unexplained)} difference region(s) match no change, first at "
                f"[x0,y0,x1,y1]={list(got.unexplained[0])}"
            )
        ious = []
        for c, box, pixels in zip(changes, got.boxes, got.pixels, strict=True):
            if pixels < min_pixels:
                return self._fail(
                    f"{c.label} too small: {pixels} differing px < 1/"
                    f"{round(1 / self.min_area_fraction)} of the image ({min_pixels:.0f} px)"
                )
            assert box is not None
            ious.append(iou(xyxy(box), xyxy(c.box)))
            if ious[-1] < self.min_iou:
                return self._fail(
                    f"{c.label}: pixel box {list(box)} vs expected {list(c.box)}, "
                    f"IoU {ious[-1]:.2f} < {self.min_iou:g}",
                    ious[-1],
                )
        return self.verdict(
            True,
            score=round(min(ious), 6),
            threshold=self.min_iou,
            score_type="diff_box_iou",
        )
