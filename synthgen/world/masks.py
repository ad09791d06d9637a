"""Per-object statistics of instance maps: visible pixel count, bbox, mask centroid.

`boxes_visible_stats` does the objects of a batch of id maps together: per object only
three numpy calls on its search box (boxes known to contain every pixel an object can
cover, e.g. `Rendering.object_boxes`) give its column and row counts; counts, extents and
coordinate sums of all objects then come from a fixed number of calls on the concatenated
counts. Centroids are exact integer coordinate sums divided once by the count.
`objects_visible_bbox_and_counts` is the one-map form (without boxes it scans the whole
map per object: the simple reference the tests compare with).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np


class MaskStats(NamedTuple):
    """Per object k (id k + 1): pixel count, bbox (x, y, w, h) and centroid (x, y).

    Objects with no visible pixel get bbox (0, 0, 0, 0) and centroid (nan, nan)."""

    counts: np.ndarray  # (n,) int64
    bboxes: np.ndarray  # (n, 4) int64: x_min, y_min, x_max - x_min + 1, y_max - y_min + 1
    centroids: np.ndarray  # (n, 2) float64: mean column, mean row of the object's pixels


def objects_visible_bbox_and_counts(
    ids: np.ndarray, n_objects: int, search_boxes: np.ndarray | None = None
) -> MaskStats:
    """Exact visible statistics of objects 1..n_objects in the (H, W) instance map `ids`.

    search_boxes: optional (n, 4) inclusive (x0, y0, x1, y1) boxes, each containing every
    pixel of its object (pixels outside are ignored, so a wrong box gives wrong stats).
    """
    h, w = ids.shape
    if search_boxes is None:
        search_boxes = np.tile(np.array([0, 0, w - 1, h - 1], dtype=np.int64), (n_objects, 1))
    return boxes_visible_stats([ids], [np.asarray(search_boxes)[:n_objects]])[0]


def boxes_visible_stats(
    ids_maps: Sequence[np.ndarray], boxes: Sequence[np.ndarray]
) -> list[MaskStats]:
    """`objects_visible_bbox_and_counts` of several maps at once: map i has len(boxes[i])
    objects with those search boxes. Results are the same as one map at a time."""
    cols: list[np.ndarray] = []
    rows: list[np.ndarray] = []
    nobj: list[int] = []
    for ids, bx in zip(ids_maps, boxes, strict=True):
        bl = bx.tolist()
        nobj.append(len(bl))
        for k, (x0, y0, x1, y1) in enumerate(bl, start=1):
            m = ids[y0 : y1 + 1, x0 : x1 + 1] == k
            cols.append(m.sum(axis=0))
            rows.append(m.sum(axis=1))
    n = len(cols)
    if n == 0:
        empty = MaskStats(
            np.zeros(0, dtype=np.int64),
            np.zeros((0, 4), dtype=np.int64),
            np.zeros((0, 2), dtype=np.float64),
        )
        return [empty for _ in nobj]
    allb = np.concatenate([np.asarray(b, dtype=np.int64).reshape(-1, 4) for b in boxes])
    c = np.concatenate(cols)
    r = np.concatenate(rows)
    wid = allb[:, 2] - allb[:, 0] + 1
    hei = allb[:, 3] - allb[:, 1] + 1
    cs = np.cumsum(wid) - wid
    rs = np.cumsum(hei) - hei
    xc = np.arange(len(c)) + np.repeat(allb[:, 0] - cs, wid)  # image column of each entry
    yc = np.arange(len(r)) + np.repeat(allb[:, 1] - rs, hei)
    counts = np.add.reduceat(c, cs)
    sx = np.add.reduceat(c * xc, cs)
    sy = np.add.reduceat(r * yc, rs)
    big = 1 << 40
    x0 = np.minimum.reduceat(np.where(c > 0, xc, big), cs)
    x1 = np.maximum.reduceat(np.where(c > 0, xc, -1), cs)
    y0 = np.minimum.reduceat(np.where(r > 0, yc, big), rs)
    y1 = np.maximum.reduceat(np.where(r > 0, yc, -1), rs)
    seen = counts > 0
    bboxes = np.zeros((n, 4), dtype=np.int64)
    bboxes[seen, 0] = x0[seen]
    bboxes[seen, 1] = y0[seen]
    bboxes[seen, 2] = (x1 - x0 + 1)[seen]
    bboxes[seen, 3] = (y1 - y0 + 1)[seen]
    cents = np.full((n, 2), np.nan)
    cents[seen, 0] = sx[seen] / counts[seen]
    cents[seen, 1] = sy[seen] / counts[seen]
    counts = counts.astype(np.int64)
    out = []
    a = 0
    for k in nobj:
        out.append(MaskStats(counts[a : a + k], bboxes[a : a + k], cents[a : a + k]))
        a += k
    return out
