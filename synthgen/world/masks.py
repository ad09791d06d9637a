"""Per-object statistics of an instance map: visible pixel count, bbox, mask centroid.

One function with two paths that must agree exactly: without search boxes it scans the
whole map per object (simple, the reference tests use); with `search_boxes` (boxes known
to contain every pixel an object can cover, e.g. `Rendering.object_boxes`) it only looks
inside them, which is what makes it cheap enough to run for every record.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np


class MaskStats(NamedTuple):
    """Per object k (id k + 1): pixel count, bbox (x, y, w, h) and centroid (x, y).

    Objects with no visible pixel get bbox (0, 0, 0, 0) and centroid (nan, nan)."""

    counts: np.ndarray  # (n,) int64
    bboxes: np.ndarray  # (n, 4) int64: x_min, y_min, x_max - x_min + 1, y_max - y_min + 1
    centroids: np.ndarray  # (n, 2) float64: mean column, mean row of the object's pixels


_AR = np.arange(1 << 15, dtype=np.float64)


def objects_visible_bbox_and_counts(
    ids: np.ndarray, n_objects: int, search_boxes: np.ndarray | None = None
) -> MaskStats:
    """Exact visible statistics of objects 1..n_objects in the (H, W) instance map `ids`.

    search_boxes: optional (n, 4) inclusive (x0, y0, x1, y1) boxes, each containing every
    pixel of its object (pixels outside are ignored, so a wrong box gives wrong stats).
    """
    n = n_objects
    h, w = ids.shape
    boxes = search_boxes.tolist() if search_boxes is not None else [[0, 0, w - 1, h - 1]] * n
    counts = [0] * n
    bboxes = [(0, 0, 0, 0)] * n
    cents = [(math.nan, math.nan)] * n
    for k in range(n):
        x0, y0, x1, y1 = boxes[k]
        m = ids[y0 : y1 + 1, x0 : x1 + 1] == k + 1
        cols = m.sum(axis=0)
        xs = cols.nonzero()[0]
        if len(xs) == 0:
            continue
        rows = m.sum(axis=1)
        ys = rows.nonzero()[0]
        cnt = int(cols.sum())
        ax, bx, ay, by = int(xs[0]), int(xs[-1]), int(ys[0]), int(ys[-1])
        counts[k] = cnt
        bboxes[k] = (x0 + ax, y0 + ay, bx - ax + 1, by - ay + 1)
        cents[k] = (
            x0 + float(cols @ _AR[: len(cols)]) / cnt,
            y0 + float(rows @ _AR[: len(rows)]) / cnt,
        )
    return MaskStats(
        np.array(counts, dtype=np.int64),
        np.array(bboxes, dtype=np.int64).reshape(n, 4),
        np.array(cents, dtype=np.float64).reshape(n, 2),
    )
