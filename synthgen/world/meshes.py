"""Unit-size geometry of every shape, built once at import.

Each shape is described at scale 1 in its own frame: z is up, the shape rests on the ground
plane z = 0 and is centred on the z axis. A scene object scales this by its size (world
units) and rotates it about z. Faces that can never be seen (bottoms: the camera is always
above the ground) are left out, so the renderer never even culls them.

Polyhedral shapes carry a `Mesh` (outward-facing planar convex faces). The sphere has no
mesh: the renderer draws its exact perspective silhouette with shading bands and computes
its depth analytically.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthgen.world.vocab import SHAPES


@dataclass(frozen=True, eq=False)
class Mesh:
    """Planar convex faces over a vertex array; face k uses
    ``face_index[face_start[k]:face_start[k + 1]]`` in counter-clockwise order seen from
    outside. ``convex`` says whether the whole solid is convex (then its front faces never
    overlap one another and need no sorting)."""

    vertices: np.ndarray  # (V, 3) float64
    face_index: np.ndarray  # (sum of face sizes,) int64
    face_start: np.ndarray  # (F + 1,) int64
    normals: np.ndarray  # (F, 3) unit outward normals
    centres: np.ndarray  # (F, 3) vertex mean of each face
    convex: bool

    @property
    def n_faces(self) -> int:
        return len(self.face_start) - 1


@dataclass(frozen=True, eq=False)
class ShapeSpec:
    """Unit-scale facts about a shape used by sampling, rendering and the scene graph.

    footprint_radius: radius of the vertical cylinder around the z axis that contains the
        shape (used for spacing and for exact painter ordering).
    height: top of the shape above the ground.
    bound_radius: radius of the sphere about the shape centre (0, 0, height / 2) that
        contains the shape (used to make `closer than` unambiguous).
    mesh: the faces, or None for the analytic sphere.
    """

    name: str
    footprint_radius: float
    height: float
    bound_radius: float
    mesh: Mesh | None


def _newell_normal(points: np.ndarray) -> np.ndarray:
    nxt = np.roll(points, -1, axis=0)
    n = np.array(
        [
            np.sum((points[:, 1] - nxt[:, 1]) * (points[:, 2] + nxt[:, 2])),
            np.sum((points[:, 2] - nxt[:, 2]) * (points[:, 0] + nxt[:, 0])),
            np.sum((points[:, 0] - nxt[:, 0]) * (points[:, 1] + nxt[:, 1])),
        ]
    )
    return n / np.linalg.norm(n)


def _build_mesh(
    vertices: np.ndarray, faces: list[list[int]], inside: callable, convex: bool
) -> Mesh:
    """Orient every face outward (away from `inside(face_centre)`) and pack the arrays."""
    oriented: list[list[int]] = []
    normals, centres = [], []
    for face in faces:
        pts = vertices[face]
        centre = pts.mean(axis=0)
        n = _newell_normal(pts)
        if np.dot(n, centre - inside(centre)) < 0:
            face = face[::-1]
            n = -n
        oriented.append(face)
        normals.append(n)
        centres.append(centre)
    start = np.zeros(len(oriented) + 1, dtype=np.int64)
    start[1:] = np.cumsum([len(f) for f in oriented])
    return Mesh(
        vertices=np.ascontiguousarray(vertices, dtype=np.float64),
        face_index=np.array([i for f in oriented for i in f], dtype=np.int64),
        face_start=start,
        normals=np.array(normals),
        centres=np.array(centres),
        convex=convex,
    )


def _cube(a: float = 0.72) -> Mesh:
    v = np.array(
        [[x, y, z] for z in (0.0, 2 * a) for y in (-a, a) for x in (-a, a)], dtype=np.float64
    )
    # indices: bottom 0..3, top 4..7 ; (x, y) order: (-,-), (+,-), (-,+), (+,+)
    faces = [[4, 5, 7, 6], [0, 1, 5, 4], [1, 3, 7, 5], [3, 2, 6, 7], [2, 0, 4, 6]]
    centre = np.array([0.0, 0.0, a])
    return _build_mesh(v, faces, lambda c: centre, convex=True)


def _pyramid(b: float = 0.8, h: float = 1.45) -> Mesh:
    v = np.array([[-b, -b, 0], [b, -b, 0], [b, b, 0], [-b, b, 0], [0, 0, h]], dtype=np.float64)
    faces = [[0, 1, 4], [1, 2, 4], [2, 3, 4], [3, 0, 4]]
    centre = np.array([0.0, 0.0, h / 4])
    return _build_mesh(v, faces, lambda c: centre, convex=True)


def _cylinder(r: float = 0.85, h: float = 1.6, n: int = 16) -> Mesh:
    ang = 2 * np.pi * np.arange(n) / n
    ring = np.stack([r * np.cos(ang), r * np.sin(ang)], axis=1)
    v = np.concatenate(
        [np.column_stack([ring, np.zeros(n)]), np.column_stack([ring, np.full(n, h)])]
    )
    faces = [[i, (i + 1) % n, n + (i + 1) % n, n + i] for i in range(n)]
    faces.append([n + i for i in range(n)])
    centre = np.array([0.0, 0.0, h / 2])
    return _build_mesh(v, faces, lambda c: centre, convex=True)


def _cone(r: float = 0.95, h: float = 1.8, n: int = 16) -> Mesh:
    ang = 2 * np.pi * np.arange(n) / n
    v = np.column_stack([r * np.cos(ang), r * np.sin(ang), np.zeros(n)])
    v = np.concatenate([v, [[0.0, 0.0, h]]])
    faces = [[i, (i + 1) % n, n] for i in range(n)]
    centre = np.array([0.0, 0.0, h / 4])
    return _build_mesh(v, faces, lambda c: centre, convex=True)


def _torus(big: float = 0.72, small: float = 0.28, n: int = 12, m: int = 6) -> Mesh:
    """A torus lying flat on the ground (its tube centre circle at height `small`).

    The quads between two meridians and two parallels are isosceles trapezoids, hence
    planar and convex, so per-face plane depth is exact."""
    u = 2 * np.pi * np.arange(n) / n
    w = 2 * np.pi * (np.arange(m) + 0.5) / m
    uu, ww = np.meshgrid(u, w, indexing="ij")
    rad = big + small * np.cos(ww)
    v = np.stack([rad * np.cos(uu), rad * np.sin(uu), small + small * np.sin(ww)], axis=-1)
    v = v.reshape(-1, 3)
    faces = [
        [i * m + j, ((i + 1) % n) * m + j, ((i + 1) % n) * m + (j + 1) % m, i * m + (j + 1) % m]
        for i in range(n)
        for j in range(m)
    ]

    def tube_centre(c: np.ndarray) -> np.ndarray:
        d = c[:2] / np.linalg.norm(c[:2])
        return np.array([d[0] * big, d[1] * big, small])

    return _build_mesh(v, faces, tube_centre, convex=False)


def _spec(name: str, mesh: Mesh | None, footprint: float, height: float) -> ShapeSpec:
    centre = np.array([0.0, 0.0, height / 2])
    if mesh is None:
        bound = height / 2
    else:
        bound = float(np.max(np.linalg.norm(mesh.vertices - centre, axis=1)))
        # the torus' outermost points lie between vertex rings: pad by the chord sag
        bound *= 1.02
    return ShapeSpec(name, footprint, height, bound, mesh)


def _make_specs() -> dict[str, ShapeSpec]:
    a = 0.72
    specs = {
        "cube": _spec("cube", _cube(a), a * np.sqrt(2), 2 * a),
        "sphere": _spec("sphere", None, 1.0, 2.0),
        "cylinder": _spec("cylinder", _cylinder(0.85, 1.6), 0.85, 1.6),
        "cone": _spec("cone", _cone(0.95, 1.8), 0.95, 1.8),
        "pyramid": _spec("pyramid", _pyramid(0.8, 1.45), 0.8 * np.sqrt(2), 1.45),
        "torus": _spec("torus", _torus(0.72, 0.28), 0.72 + 0.28, 0.56),
    }
    assert tuple(specs) == SHAPES
    return specs


SHAPE_SPECS: dict[str, ShapeSpec] = _make_specs()
"""Shape name -> unit-scale geometry, in `SHAPES` order."""
