"""Everything the Pillow renderer draws, computed with numpy for a whole batch of scenes.

Output, per scene: a draw list -- every polygon of the scene in painter's order (image
coordinates, Pillow ink, object id, whether it also goes into the instance map, and a tag
naming the surface it lies on) -- plus ground shadow polygons and per-object screen boxes.
The renderer only loops over the draw list calling Pillow's C polygon filler; depth and
unoccluded areas are recomputed later from the very same list, which is what makes them
exact.

Speed: at ~80 facets per scene numpy's per-call overhead is the whole cost of doing one
scene at a time, so `build_geometries` does a *batch* of scenes with one set of numpy
calls: all mesh vertices of all scenes are placed and projected at once (each with its own
scene's camera), all faces culled at once, all spheres (`spheres.py`) and all shadows
computed at once, mesh faces and sphere bands shaded by one `shade_facets` call, and the
polygons of every scene sorted into painter's order by one lexsort. Coordinates reach
Pillow as slices of one float32 buffer, already truncated the way Pillow's filler
truncates them (so no Python float or list per polygon is made); what is left per scene is
slicing lists. `build_geometry(scene)` is the batch of one. Only elementwise IEEE
operations (+ - * / sqrt, comparisons, gathers, min/max) touch per-element data --
trigonometry goes through Python's `math` per object or sphere, and no sums, matrix
products or other reductions whose rounding could depend on the array length are used --
so a scene's draw list is bit for bit the same whichever batch it is in.

Painter's order between objects is exact, not a heuristic: every object lies inside the
vertical cylinder of its footprint disc, and the discs are disjoint. For two disjoint discs
the radical axis (where the powers |p - c|^2 - r^2 w.r.t. both circles are equal) is a line
separating them, so every ray from a point on A's side meets A before B; a ray from the
camera projects to a ray from the camera's ground point, so sorting objects by decreasing
power of the camera's ground point draws them back to front, for every pair at once.
Within an object, convex meshes draw only front faces (which never overlap); the torus's
front faces are drawn far to near.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from synthgen.world.meshes import SHAPE_SPECS
from synthgen.world.scene import Scene, SceneArrays
from synthgen.world.shading import shade_facets
from synthgen.world.spheres import SEGMENTS, sphere_batch
from synthgen.world.stage import Stage
from synthgen.world.vocab import COLORS, SHAPES

SHADOW_ARC = 9
"""Points per arc of a shadow outline (2 arcs per shadow)."""

# (r0, r1, height) of the two discs whose hull approximates the shadow of a unit shape
_SHADOW = {
    "cube": (0.8, 0.8, 1.44),
    "cylinder": (0.85, 0.85, 1.6),
    "cone": (0.95, 0.0, 1.8),
    "pyramid": (0.88, 0.0, 1.45),
    "torus": (1.0, 1.0, 0.56),
}

SPHERE = SHAPES.index("sphere")
_BASE = np.array(list(COLORS.values()), dtype=np.float64) / 255.0
_BASE_R = np.ascontiguousarray(_BASE[:, 0])
_BASE_G = np.ascontiguousarray(_BASE[:, 1])
_BASE_B = np.ascontiguousarray(_BASE[:, 2])


@dataclass(frozen=True, eq=False)
class _Packed:
    """All mesh shapes' unit geometry in flat columns, by shape index."""

    vx: np.ndarray  # vertex coordinates
    vy: np.ndarray
    vz: np.ndarray
    nx: np.ndarray  # face normals
    ny: np.ndarray
    nz: np.ndarray
    cx: np.ndarray  # face centres
    cy: np.ndarray
    cz: np.ndarray
    fv: np.ndarray  # local vertex indices of all faces, concatenated
    fst: np.ndarray  # start of each packed face in fv
    flen: np.ndarray  # vertices per packed face
    vstart: np.ndarray  # per shape index: first packed vertex
    fstart: np.ndarray  # per shape index: first packed face
    nv: np.ndarray  # per shape index
    nf: np.ndarray


def _pack() -> _Packed:
    v, nrm, cen, fv, flen = [], [], [], [], []
    nv, nf = [], []
    for name in SHAPES:
        mesh = SHAPE_SPECS[name].mesh
        nv.append(0 if mesh is None else len(mesh.vertices))
        nf.append(0 if mesh is None else mesh.n_faces)
        if mesh is not None:
            v.append(mesh.vertices)
            nrm.append(mesh.normals)
            cen.append(mesh.centres)
            fv.append(mesh.face_index)
            flen.append(np.diff(mesh.face_start))
    va, na, ca = np.concatenate(v), np.concatenate(nrm), np.concatenate(cen)
    lens = np.concatenate(flen)
    nva = np.array(nv, dtype=np.int64)
    nfa = np.array(nf, dtype=np.int64)
    col = np.ascontiguousarray
    return _Packed(
        vx=col(va[:, 0]),
        vy=col(va[:, 1]),
        vz=col(va[:, 2]),
        nx=col(na[:, 0]),
        ny=col(na[:, 1]),
        nz=col(na[:, 2]),
        cx=col(ca[:, 0]),
        cy=col(ca[:, 1]),
        cz=col(ca[:, 2]),
        fv=np.concatenate(fv).astype(np.int64),
        fst=np.cumsum(lens) - lens,
        flen=lens,
        vstart=np.cumsum(nva) - nva,
        fstart=np.cumsum(nfa) - nfa,
        nv=nva,
        nf=nfa,
    )


PACKED = _pack()

# Polygon vertex rows are looked up in one table: mesh faces use PACKED.fv (plus the
# object's first vertex), sphere polygons use the trailing 0..SEGMENTS-1.
_ROW_TABLE = np.concatenate([PACKED.fv, np.arange(SEGMENTS, dtype=np.int64)])
_SPHERE_ROWS = len(PACKED.fv)

_SHADOW_T = np.linspace(0.0, 1.0, SHADOW_ARC)
_SHADOW_TABLE = np.array([_SHADOW.get(s, (1.0, 1.0, 1.0)) for s in SHAPES], dtype=np.float64)


@functools.lru_cache(maxsize=16384)
def shadow_outlines(light: tuple[float, float, float]) -> np.ndarray:
    """(len(SHAPES), 2 * SHADOW_ARC) complex ground outlines of unit shapes' shadows.

    A shadow is the convex hull of the base disc and the top disc (or apex) displaced away
    from the light; a sphere's is the stadium around its elliptic shadow. Cached per light
    (the sampler quantises light directions)."""
    lx, ly, lz = light
    lz = max(lz, 0.2)
    sx, sy = lx / lz, ly / lz  # ground displacement per unit height is -(sx, sy)
    lh = math.hypot(lx, ly)
    ex, ey = (lx / lh, ly / lh) if lh > 1e-9 else (1.0, 0.0)
    r0 = _SHADOW_TABLE[:, 0].copy()
    r1 = _SHADOW_TABLE[:, 1].copy()
    hh = _SHADOW_TABLE[:, 2]
    c0 = np.zeros(len(SHAPES), dtype=complex)
    c1 = -(sx + 1j * sy) * hh
    e = 1.0 / lz - 1.0
    c0[SPHERE] = complex(-sx + ex * e, -sy + ey * e)
    c1[SPHERE] = complex(-sx - ex * e, -sy - ey * e)
    r0[SPHERE] = r1[SPHERE] = 1.0
    d = c1 - c0
    dl = np.abs(d)
    theta = np.angle(d)
    gamma = np.where(
        dl < 1e-6, 0.0, np.arcsin(np.clip((r0 - r1) / np.maximum(dl, 1e-9), -1.0, 1.0))
    )
    t = _SHADOW_T[None, :]
    a0 = (theta + math.pi / 2 + gamma)[:, None] + t * (math.pi - 2 * gamma)[:, None]
    a1 = (theta - math.pi / 2 - gamma)[:, None] + t * (math.pi + 2 * gamma)[:, None]
    return np.concatenate(
        [c0[:, None] + r0[:, None] * np.exp(1j * a0), c1[:, None] + r1[:, None] * np.exp(1j * a1)],
        axis=1,
    )


@functools.lru_cache(maxsize=16384)
def _shadow_xy(light: tuple[float, float, float]) -> np.ndarray:
    """`shadow_outlines` as a real (2, len(SHAPES), 2 * SHADOW_ARC) array (x, y)."""
    out = shadow_outlines.__wrapped__(light)  # not cached twice
    return np.stack([out.real, out.imag])


@functools.lru_cache(maxsize=4096)
def _environment(stage: Stage) -> tuple[float, ...]:
    """(sky r, g, b, ground r, g, b) in 0..1 as `shade_facets` expects them."""
    return (*_rgb01(stage.backdrop_rgb, 1.1), *_rgb01(stage.ground_rgb, 0.3))


@dataclass(frozen=True, eq=False)
class _MeshColumns:
    """World-space vertices and faces of a list of mesh objects (see `_mesh_columns`)."""

    vsel: np.ndarray  # packed vertex index of each vertex
    vobj: np.ndarray  # object (index into the given list) of each vertex
    vstart: np.ndarray  # (m,) first vertex of each object
    fsel: np.ndarray  # packed face index of each face
    fobj: np.ndarray
    fstart: np.ndarray  # (m,) first face of each object
    wx: np.ndarray
    wy: np.ndarray
    wz: np.ndarray
    fnx: np.ndarray  # unit face normals
    fny: np.ndarray
    fnz: np.ndarray
    fcx: np.ndarray  # face centres
    fcy: np.ndarray
    fcz: np.ndarray


def _mesh_columns(
    shape: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    scale: np.ndarray,
    cos: np.ndarray,
    sin: np.ndarray,
) -> _MeshColumns:
    """Place the unit meshes of m objects (shape index, position, scale, rotation cos/sin).

    Elementwise only, so an object's columns do not depend on the other objects given."""
    p = PACKED
    m = len(shape)
    nv = p.nv[shape]
    nf = p.nf[shape]
    vstart = np.cumsum(nv) - nv
    fstart = np.cumsum(nf) - nf
    nvt = int(vstart[-1] + nv[-1]) if m else 0
    nft = int(fstart[-1] + nf[-1]) if m else 0
    ar = np.arange(m)
    vobj = np.repeat(ar, nv)
    fobj = np.repeat(ar, nf)
    vsel = np.arange(nvt) + np.repeat(p.vstart[shape] - vstart, nv)
    fsel = np.arange(nft) + np.repeat(p.fstart[shape] - fstart, nf)
    cs = cos * scale
    ss = sin * scale
    lx = p.vx[vsel]
    ly = p.vy[vsel]
    csv = cs[vobj]
    ssv = ss[vobj]
    wx = lx * csv - ly * ssv + x[vobj]
    wy = lx * ssv + ly * csv + y[vobj]
    wz = p.vz[vsel] * scale[vobj]
    nx = p.nx[fsel]
    ny = p.ny[fsel]
    cf = cos[fobj]
    sf = sin[fobj]
    fnx = nx * cf - ny * sf
    fny = nx * sf + ny * cf
    fnz = p.nz[fsel]
    cx = p.cx[fsel]
    cy = p.cy[fsel]
    csf = cs[fobj]
    ssf = ss[fobj]
    fcx = cx * csf - cy * ssf + x[fobj]
    fcy = cx * ssf + cy * csf + y[fobj]
    fcz = p.cz[fsel] * scale[fobj]
    return _MeshColumns(
        vsel, vobj, vstart, fsel, fobj, fstart, wx, wy, wz, fnx, fny, fnz, fcx, fcy, fcz
    )


def _join_facets(a: tuple, b: tuple) -> tuple:
    """Concatenate two `shade_facets` argument tuples column by column."""
    cat = np.concatenate
    return tuple(
        cat([x, y]) if i == 4 else (cat([x[0], y[0]]), cat([x[1], y[1]]), cat([x[2], y[2]]))
        for i, (x, y) in enumerate(zip(a, b, strict=True))
    )


def _cos_sin(rotation_deg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """cos and sin of rotations in degrees, with Python's math (scalar libm, per value)."""
    rad = [math.radians(r) for r in rotation_deg.tolist()]
    return np.array([math.cos(r) for r in rad]), np.array([math.sin(r) for r in rad])


class SceneGeometry:
    """The draw list of a scene and the 3D data needed to recompute depth from it.

    Draw list (parallel lists, painter's order): polygon i has the flat image coordinates
    `coords[starts[i]:ends[i]]` (x0, y0, x1, y1, ...), RGB ink `ink[i]`, object id `kid[i]`
    (k + 1), `to_ids[i]` whether it is also drawn into the instance map, and surface tag
    `tag[i]`: mesh face f (index into this scene's face columns) -> f + 1; the sphere of
    object k -> n_faces + 1 + k. `coords` is a float32 memoryview (shared by a batch) of
    coordinates already truncated towards zero -- exactly what Pillow's polygon filler
    does with any coordinate it gets, so filling with it draws the same pixels as the
    float64 values would, without creating a Python float per coordinate. `xy` lists
    each polygon's coordinates. Object k's polygons are the contiguous block
    `block_start[k]:block_end[k]` of the list. `shadows` are the ground shadow polygons
    (object order, same kind of coordinates), drawn with `shadow_ink`.

    The 3D columns (`vertices`, `normals`, `centres`, `face_vertices`, `sphere_centre`,
    `sphere_radius`) are computed on first use -- only depth maps need them.
    """

    def __init__(
        self,
        scene: Scene,
        coords: memoryview,
        starts: list[int],
        ends: list[int],
        ink: list[int],
        kid: list[int],
        to_ids: list[bool],
        tag: np.ndarray,
        shadows: list[memoryview],
        shadow_ink: int,
        order: list[int],
        boxes: np.ndarray,
        block_start: list[int],
        block_end: list[int],
        n_faces: int,
    ) -> None:
        self.scene = scene
        self.coords = coords
        self.starts = starts
        self.ends = ends
        self.ink = ink
        self.kid = kid
        self.to_ids = to_ids
        self.tag = tag
        self.shadows = shadows
        self.shadow_ink = shadow_ink
        self.order = order
        self.boxes = boxes  # (n, 4) int64 inclusive x0, y0, x1, y1 (superset of drawn pixels)
        self.block_start = block_start
        self.block_end = block_end
        self.n_faces = n_faces

    @property
    def xy(self) -> list[memoryview]:
        """Each polygon's flat coordinates (float32 buffers Pillow's filler accepts)."""
        c = self.coords
        return [c[a:b] for a, b in zip(self.starts, self.ends, strict=True)]

    @functools.cached_property
    def _mesh(self) -> tuple[np.ndarray, _MeshColumns]:
        a = self.scene.arrays
        mk = np.flatnonzero(a.shape_idx != SPHERE)
        cos, sin = _cos_sin(a.rotation_deg[mk])
        return mk, _mesh_columns(a.shape_idx[mk], a.x[mk], a.y[mk], a.scale[mk], cos, sin)

    @functools.cached_property
    def vertices(self) -> np.ndarray:
        m = self._mesh[1]
        return np.column_stack([m.wx, m.wy, m.wz])

    @functools.cached_property
    def normals(self) -> np.ndarray:
        m = self._mesh[1]
        return np.column_stack([m.fnx, m.fny, m.fnz])

    @functools.cached_property
    def centres(self) -> np.ndarray:
        m = self._mesh[1]
        return np.column_stack([m.fcx, m.fcy, m.fcz])

    @functools.cached_property
    def face_vertices(self) -> tuple[np.ndarray, np.ndarray]:
        """(scene vertex indices of all faces concatenated, (F + 1,) starts)."""
        p = PACKED
        m = self._mesh[1]
        lens = p.flen[m.fsel]
        cum = np.cumsum(lens)
        total = int(cum[-1]) if len(cum) else 0
        pos = np.arange(total) + np.repeat(p.fst[m.fsel] - (cum - lens), lens)
        idx = p.fv[pos] + np.repeat(m.vstart[m.fobj], lens)
        return idx, np.concatenate([[0], cum]).astype(np.int64)

    @functools.cached_property
    def sphere_centre(self) -> np.ndarray:
        """(n, 3) sphere centres, NaN rows for other shapes."""
        a = self.scene.arrays
        out = np.full((len(a.x), 3), np.nan)
        sph = a.shape_idx == SPHERE
        out[sph, 0] = a.x[sph]
        out[sph, 1] = a.y[sph]
        out[sph, 2] = a.scale[sph]
        return out

    @functools.cached_property
    def sphere_radius(self) -> np.ndarray:
        a = self.scene.arrays
        return np.where(a.shape_idx == SPHERE, a.scale, 0.0)


def painter_order(
    xs: np.ndarray, ys: np.ndarray, radii: np.ndarray, cam_xy: tuple[float, float]
) -> np.ndarray:
    """Back-to-front order of objects standing in disjoint vertical cylinders (see module
    docstring): decreasing power of the camera's ground point w.r.t. the footprint discs."""
    dx = xs - cam_xy[0]
    dy = ys - cam_xy[1]
    return np.argsort(radii * radii - dx * dx - dy * dy, kind="stable")


def build_geometry(scene: Scene, shadows: bool = True) -> SceneGeometry:
    """Compute the draw list of `scene` (the batch of one of `build_geometries`)."""
    return build_geometries([scene], shadows)[0]


def _concat(arrays: list[SceneArrays], name: str) -> np.ndarray:
    return np.concatenate([getattr(a, name) for a in arrays])


def build_geometries(scenes: Sequence[Scene], shadows: bool = True) -> list[SceneGeometry]:
    """The draw lists of a batch of scenes (see module docstring); the result for a scene
    does not depend on the other scenes of the batch."""
    nb = len(scenes)
    if nb == 0:
        return []
    arrs = [s.arrays for s in scenes]
    nobj = np.array([len(a.x) for a in arrs], dtype=np.int64)
    nall = int(nobj.sum())
    ostart = np.cumsum(nobj) - nobj
    sid = np.repeat(np.arange(nb), nobj)
    local = np.arange(nall) - ostart[sid]
    shape = _concat(arrs, "shape_idx")
    x = _concat(arrs, "x")
    y = _concat(arrs, "y")
    scale = _concat(arrs, "scale")
    color = _concat(arrs, "color_idx")
    metal = _concat(arrs, "metal")
    camt = np.array([s.camera.params for s in scenes]).T.copy()  # (15, nb)
    light = np.array([s.light.direction for s in scenes]).T.copy()  # (3, nb)
    env = np.array([_environment(s.stage) for s in scenes]).T.copy()  # (6, nb)
    wmax = np.array([s.width - 1 for s in scenes], dtype=np.int64)[sid]
    hmax = np.array([s.height - 1 for s in scenes], dtype=np.int64)[sid]

    # ---- painter's order of the objects of every scene ----
    dx = x - camt[0][sid]
    dy = y - camt[1][sid]
    foot = _concat(arrs, "footprint")
    order = np.lexsort((foot * foot - dx * dx - dy * dy, sid))
    rank = np.empty(nall, dtype=np.int64)
    rank[order] = np.arange(nall) - ostart[sid[order]]
    lo_u = np.zeros(nall)
    lo_v = np.zeros(nall)
    hi_u = np.zeros(nall)
    hi_v = np.zeros(nall)

    # ---- meshes: world space, one projection, visible faces, shading ----
    mk = (shape != SPHERE).nonzero()[0]
    faces_of_scene = np.zeros(nb, dtype=np.int64)
    facets: list[tuple] = []  # shade_facets arguments: mesh faces, then sphere bands
    if len(mk):
        cos, sin = _cos_sin(_concat(arrs, "rotation_deg")[mk])
        m = _mesh_columns(shape[mk], x[mk], y[mk], scale[mk], cos, sin)
        vo = mk[m.vobj]
        c = camt[:, sid[vo]]
        ex = m.wx - c[0]
        ey = m.wy - c[1]
        ez = m.wz - c[2]
        iz = c[12] / (c[9] * ex + c[10] * ey + c[11] * ez)
        mu = c[13] + (c[3] * ex + c[4] * ey + c[5] * ez) * iz
        mv = c[14] - (c[6] * ex + c[7] * ey + c[8] * ez) * iz
        lo_u[mk] = np.minimum.reduceat(mu, m.vstart)
        lo_v[mk] = np.minimum.reduceat(mv, m.vstart)
        hi_u[mk] = np.maximum.reduceat(mu, m.vstart)
        hi_v[mk] = np.maximum.reduceat(mv, m.vstart)
        fo = mk[m.fobj]
        sf = sid[fo]
        nfo = PACKED.nf[shape[mk]]
        faces_of_scene = np.bincount(sid[mk], weights=nfo, minlength=nb).astype(np.int64)
        first_face = np.cumsum(faces_of_scene) - faces_of_scene
        vx = camt[0][sf] - m.fcx
        vy = camt[1][sf] - m.fcy
        vz = camt[2][sf] - m.fcz
        vis = (m.fnx * vx + m.fny * vy + m.fnz * vz > 0.0).nonzero()[0]
        vx, vy, vz = vx[vis], vy[vis], vz[vis]
        dist = np.sqrt(vx * vx + vy * vy + vz * vz)
        idist = 1.0 / dist
        fov = fo[vis]
        sv = sf[vis]
        facets.append(
            (
                (_BASE_R[color[fov]], _BASE_G[color[fov]], _BASE_B[color[fov]]),
                (m.fnx[vis], m.fny[vis], m.fnz[vis]),
                (vx * idist, vy * idist, vz * idist),
                (light[0][sv], light[1][sv], light[2][sv]),
                metal[fov],
                (env[0][sv], env[1][sv], env[2][sv]),
                (env[3][sv], env[4][sv], env[5][sv]),
            )
        )
        pf = m.fsel[vis]
        mesh_poly = [
            sv,  # scene
            rank[fov],  # object rank
            -dist,  # within the object: far to near
            None,  # inks, below
            local[fov] + 1,  # kid
            np.ones(len(vis), dtype=bool),  # into the id map
            vis - first_face[sv] + 1,  # tag
            PACKED.flen[pf],  # vertices
            PACKED.fst[pf],  # first row in _ROW_TABLE
            m.vstart[m.fobj[vis]],  # row offset into the coordinate columns
            fov,  # object
        ]
        coords_u = [mu]
        coords_v = [mv]
        nrows = len(mu)
    else:
        mesh_poly = None
        coords_u, coords_v = [], []
        nrows = 0

    # ---- spheres: all at once, spliced into the draw list at their painter rank ----
    sp = (shape == SPHERE).nonzero()[0]
    if len(sp):
        ss = sid[sp]
        sph = sphere_batch(
            camt[:, ss],
            light[:, ss],
            x[sp],
            y[sp],
            scale[sp],
            (_BASE_R[color[sp]], _BASE_G[color[sp]], _BASE_B[color[sp]]),
            metal[sp],
            env[:, ss],
        )
        lo_u[sp] = sph.box[0]
        lo_v[sp] = sph.box[1]
        hi_u[sp] = sph.box[2]
        hi_v[sp] = sph.box[3]
        q = sph.sphere  # sphere of each polygon
        qo = sp[q]
        qs = ss[q]
        nq = len(q)
        facets.append(sph.facets)
        sphere_poly = [
            qs,
            rank[qo],
            sph.band.astype(np.float64),
            None,  # inks, below
            local[qo] + 1,
            sph.to_ids,
            faces_of_scene[qs] + 1 + local[qo],
            np.full(nq, SEGMENTS, dtype=np.int64),
            np.full(nq, _SPHERE_ROWS, dtype=np.int64),
            nrows + SEGMENTS * np.arange(nq),
            qo,
        ]
        coords_u.append(sph.u.ravel())
        coords_v.append(sph.v.ravel())
    else:
        sphere_poly = None

    # ---- shading: every mesh face and sphere band of the batch in one call ----
    if len(facets) == 2:
        inks = shade_facets(*_join_facets(*facets))
        nmesh = len(mesh_poly[0])
        mesh_poly[3] = inks[:nmesh]
        sphere_poly[3] = sph.inks(inks[nmesh:])
    elif mesh_poly is not None:
        mesh_poly[3] = shade_facets(*facets[0])
    elif sphere_poly is not None:
        sphere_poly[3] = sph.inks(shade_facets(*facets[0]))

    # ---- the draw lists: all polygons sorted by (scene, object rank, order in object) ----
    parts = [p for p in (mesh_poly, sphere_poly) if p is not None]
    if parts:
        cols = [np.concatenate(c) for c in zip(*parts, strict=True)]
        psid, prank, pkey = cols[0], cols[1], cols[2]
        po = np.lexsort((pkey, prank, psid))
        pink, pkid, pids, ptag, plen, pst, poff, pobj = (c[po] for c in cols[3:])
        psid = psid[po]
        cum = np.cumsum(plen)
        total = int(cum[-1])
        head = cum - plen
        rows = _ROW_TABLE[np.arange(total) + np.repeat(pst - head, plen)] + np.repeat(poff, plen)
        cu = np.concatenate(coords_u)
        cv = np.concatenate(coords_v)
        flat = np.empty(2 * total, dtype=np.float32)
        flat[0::2] = _pillow_coords(cu[rows])
        flat[1::2] = _pillow_coords(cv[rows])
        coords = memoryview(flat)
        ends_l = (2 * cum).tolist()
        starts_l = (2 * head).tolist()
        ink_l = pink.tolist()
        kid_l = pkid.tolist()
        ids_l = pids.tolist()
        npoly = np.bincount(psid, minlength=nb)
        per_obj = np.bincount(pobj, minlength=nall)
    else:
        ptag = np.zeros(0, dtype=np.int64)
        coords = memoryview(np.zeros(0, dtype=np.float32))
        starts_l, ends_l, ink_l, kid_l, ids_l = [], [], [], [], []
        npoly = np.zeros(nb, dtype=np.int64)
        per_obj = np.zeros(nall, dtype=np.int64)
    pstart = np.cumsum(npoly) - npoly
    # each object's block of its scene's draw list (objects are contiguous, in rank order)
    cnt_ord = per_obj[order]
    bstart = np.empty(nall, dtype=np.int64)
    bstart[order] = np.cumsum(cnt_ord) - cnt_ord
    bstart -= pstart[sid]
    bstart_l = bstart.tolist()
    bend_l = (bstart + per_obj).tolist()

    # ---- screen boxes (superset of every pixel an object can cover) ----
    boxes = np.empty((nall, 4), dtype=np.int64)
    boxes[:, 0] = np.minimum(np.maximum(np.floor(lo_u) - 1, 0), wmax)
    boxes[:, 1] = np.minimum(np.maximum(np.floor(lo_v) - 1, 0), hmax)
    boxes[:, 2] = np.maximum(np.minimum(np.ceil(hi_u) + 1, wmax), boxes[:, 0])
    boxes[:, 3] = np.maximum(np.minimum(np.ceil(hi_v) + 1, hmax), boxes[:, 1])

    # ---- shadows on the ground ----
    if shadows and nall:
        tables = np.stack([_shadow_xy(s.light.direction) for s in scenes])  # (nb, 2, S, P)
        gx = tables[sid, 0, shape] * scale[:, None] + x[:, None]
        gy = tables[sid, 1, shape] * scale[:, None] + y[:, None]
        c = camt[:, sid, None]
        ex = gx - c[0]
        ey = gy - c[1]
        oz = c[2]
        iz = c[12] / (c[9] * ex + c[10] * ey - c[11] * oz)
        npt = gx.shape[1]
        suv = np.empty((nall, npt, 2), dtype=np.float32)
        suv[..., 0] = _pillow_coords(c[13] + (c[3] * ex + c[4] * ey - c[5] * oz) * iz)
        suv[..., 1] = _pillow_coords(c[14] - (c[6] * ex + c[7] * ey - c[8] * oz) * iz)
        smv = memoryview(suv.reshape(-1))
        w = 2 * npt
        shadow_l = [smv[k * w : (k + 1) * w] for k in range(nall)]
    else:
        shadow_l = []

    order_local = (order - ostart[sid[order]]).tolist()
    out: list[SceneGeometry] = []
    ps = pstart.tolist()
    pe = (pstart + npoly).tolist()
    os_ = ostart.tolist()
    oe = (ostart + nobj).tolist()
    nfaces = faces_of_scene.tolist()
    for i, scene in enumerate(scenes):
        a, b = ps[i], pe[i]
        oa, ob = os_[i], oe[i]
        out.append(
            SceneGeometry(
                scene=scene,
                coords=coords,
                starts=starts_l[a:b],
                ends=ends_l[a:b],
                ink=ink_l[a:b],
                kid=kid_l[a:b],
                to_ids=ids_l[a:b],
                tag=ptag[a:b],
                shadows=shadow_l[oa:ob],
                shadow_ink=_shadow_ink(scene.light.direction[2]),
                order=order_local[oa:ob],
                boxes=boxes[oa:ob],
                block_start=bstart_l[oa:ob],
                block_end=bend_l[oa:ob],
                n_faces=nfaces[i],
            )
        )
    return out


_COORD_LIMIT = float(1 << 22)


def _pillow_coords(v: np.ndarray) -> np.ndarray:
    """Image coordinates as Pillow's polygon filler uses them: truncated towards zero (it
    casts each to int). Clipped to +-2^22 so they stay exact in float32 and in int range
    (no vertex of an object or shadow in frame comes anywhere near that)."""
    return np.trunc(np.clip(v, -_COORD_LIMIT, _COORD_LIMIT))


def _shadow_ink(light_z: float) -> int:
    """RGBA ink (black, alpha by light elevation) of the shadows, as a signed 32-bit int."""
    alpha = int(70 + 40 * light_z)
    return (alpha << 24) - (1 << 32) if alpha >= 128 else alpha << 24


def _rgb01(rgb: tuple[int, int, int], k: float = 1.0) -> tuple[float, float, float]:
    return (rgb[0] * k / 255.0, rgb[1] * k / 255.0, rgb[2] * k / 255.0)
