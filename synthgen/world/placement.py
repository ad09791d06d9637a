"""Where on the ground an object of a given shape and size may stand on a given stage.

The placement square [-a, a]^2 is cut into GRID x GRID cells; a cell is valid for an object
class (shape, size) if the object, standing anywhere in the cell, projects inside the image
with a margin (checked at the cell corners, for its ground and top points, with its
projected footprint radius plus two pixels as margin). Tables are computed once per
(stage, classes, area) and cached, so a scene pays a few array lookups instead of
projecting every candidate position: candidates are drawn uniformly over the union of
valid cells (a uniform cell, then a uniform point in it).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from synthgen.world.meshes import SHAPE_SPECS
from synthgen.world.stage import Stage
from synthgen.world.vocab import SIZES

GRID = 48
"""Cells per side of the placement square."""


@dataclass(frozen=True, eq=False)
class PlacementTable:
    """cells[c, :counts[c]] are the valid cell indices (row-major) of class c."""

    cells: np.ndarray  # (n_classes, max_count) int16 (GRID^2 < 2^15), padded with 0
    counts: np.ndarray  # (n_classes,) int64
    cell_size: float
    half_extent: float


@functools.lru_cache(maxsize=1024)
def placement_table(
    stage: Stage, shapes: tuple[str, ...], sizes: tuple[str, ...], half_extent: float
) -> PlacementTable:
    """Valid cells of every class c = shape_index * len(sizes) + size_index."""
    cam = stage.camera
    edges = np.linspace(-half_extent, half_extent, GRID + 1)
    gx, gy = np.meshgrid(edges, edges)  # gx varies along columns (x), gy along rows (y)
    rows = []
    for shape in shapes:
        spec = SHAPE_SPECS[shape]
        for size in sizes:
            s = SIZES[size]
            foot, height = spec.footprint_radius * s, spec.height * s
            ok = np.ones_like(gx, dtype=bool)
            for z in (0.0, height):
                pts = np.stack([gx, gy, np.full_like(gx, z)], axis=-1)
                uv, depth = cam.project(pts)
                m = cam.focal_px * foot / depth + 2.0
                ok &= (
                    (uv[..., 0] >= m)
                    & (uv[..., 0] <= cam.width - 1 - m)
                    & (uv[..., 1] >= m)
                    & (uv[..., 1] <= cam.height - 1 - m)
                    & (depth > 0)
                )
            cell_ok = ok[:-1, :-1] & ok[1:, :-1] & ok[:-1, 1:] & ok[1:, 1:]
            rows.append(np.flatnonzero(cell_ok))
    counts = np.array([len(r) for r in rows], dtype=np.int64)
    cells = np.zeros((len(rows), max(1, int(counts.max()))), dtype=np.int16)
    for i, r in enumerate(rows):
        cells[i, : len(r)] = r
    return PlacementTable(cells, counts, 2 * half_extent / GRID, half_extent)


def candidates(
    table: PlacementTable, classes: np.ndarray, u: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate ground positions (x + iy, (n, t) complex) for objects of `classes`.

    u: (3, n, t) uniforms (cell choice, x and y within the cell). Also returns (n,) bool:
    whether the class has any valid cell at all."""
    counts = table.counts[classes]
    pick = (u[0] * counts[:, None]).astype(np.int64)
    cell = table.cells[classes[:, None], pick].astype(np.int64)
    col = cell % GRID + u[1]
    row = cell // GRID + u[2]
    cs = table.cell_size
    return (col * cs - table.half_extent) + 1j * (row * cs - table.half_extent), counts > 0
