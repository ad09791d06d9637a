"""Everything the Pillow renderer draws, computed with numpy for a whole scene at once.

Output: a draw list -- every polygon of the scene in painter's order (image coordinates,
Pillow ink, object id, whether it also goes into the instance map, and a tag naming the
surface it lies on) -- plus ground shadow polygons and per-object screen boxes. The
renderer only loops over the draw list calling Pillow's C polygon filler; depth and
unoccluded areas are recomputed later from the very same list, which is what makes them
exact.

Speed: at ~100 facets per scene numpy's per-call overhead is the whole cost, so meshes
cost a fixed, small number of numpy calls for the whole scene: ground-plane coordinates
are complex numbers (rotation + translation = one multiply-add), all mesh vertices are
projected in one call, all visible faces shaded in one call, plus one cheap Python step
per visible face. Spheres (one or two per scene) are drawn with Python floats
(`spheres.py`), which is cheaper than numpy at that size.

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
from dataclasses import dataclass

import numpy as np

from synthgen.world.meshes import SHAPE_SPECS
from synthgen.world.scene import Scene
from synthgen.world.shading import shade
from synthgen.world.spheres import sphere_polygons
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


@dataclass(frozen=True, eq=False)
class _Packed:
    """All mesh shapes' unit geometry in flat columns (xy as complex), by shape index."""

    vc: np.ndarray  # vertex x + iy
    vz: np.ndarray
    nc: np.ndarray  # face normal x + iy
    nz: np.ndarray
    cc: np.ndarray  # face centre x + iy
    cz: np.ndarray
    fv: np.ndarray  # local vertex indices of all faces, concatenated
    fst: np.ndarray  # start of each packed face in fv
    flen: np.ndarray  # vertices per packed face
    vrange: tuple[np.ndarray, ...]  # per shape index: packed vertex indices
    frange: tuple[np.ndarray, ...]  # per shape index: packed face indices
    nv: np.ndarray  # per shape index
    nf: np.ndarray


def _pack() -> _Packed:
    v, nrm, cen, fv, flen = [], [], [], [], []
    vrange, frange, nv, nf = [], [], [], []
    vcount = fcount = 0
    for name in SHAPES:
        mesh = SHAPE_SPECS[name].mesh
        cnt_v = 0 if mesh is None else len(mesh.vertices)
        cnt_f = 0 if mesh is None else mesh.n_faces
        vrange.append(np.arange(vcount, vcount + cnt_v))
        frange.append(np.arange(fcount, fcount + cnt_f))
        nv.append(cnt_v)
        nf.append(cnt_f)
        vcount += cnt_v
        fcount += cnt_f
        if mesh is not None:
            v.append(mesh.vertices)
            nrm.append(mesh.normals)
            cen.append(mesh.centres)
            fv.append(mesh.face_index)
            flen.append(np.diff(mesh.face_start))
    va, na, ca = np.concatenate(v), np.concatenate(nrm), np.concatenate(cen)
    lens = np.concatenate(flen)
    return _Packed(
        vc=va[:, 0] + 1j * va[:, 1],
        vz=va[:, 2].copy(),
        nc=na[:, 0] + 1j * na[:, 1],
        nz=na[:, 2].copy(),
        cc=ca[:, 0] + 1j * ca[:, 1],
        cz=ca[:, 2].copy(),
        fv=np.concatenate(fv),
        fst=np.cumsum(lens) - lens,
        flen=lens,
        vrange=tuple(vrange),
        frange=tuple(frange),
        nv=np.array(nv, dtype=np.int64),
        nf=np.array(nf, dtype=np.int64),
    )


PACKED = _pack()

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


@dataclass(eq=False)
class SceneGeometry:
    """The draw list of a scene and the 3D data needed to recompute depth from it.

    Draw list (parallel lists, painter's order): `xy` flat image coordinates, `ink` RGB
    inks, `kid` object ids (k + 1), `to_ids` whether the polygon is also drawn into the
    instance map, `tag` surface tags: mesh face f (index into this scene's face columns)
    -> f + 1; the sphere of object k -> n_faces + 1 + k.
    """

    xy: list[list[float]]
    ink: list[int]
    kid: list[int]
    to_ids: list[bool]
    tag: np.ndarray
    shadows: list[list[float]]
    order: list[int]  # objects, back to front
    boxes: np.ndarray  # (n, 4) int64 inclusive x0, y0, x1, y1 (superset of drawn pixels)
    wc: np.ndarray  # world vertex x + iy of mesh objects
    wz: np.ndarray
    fsel: np.ndarray  # packed face index of each scene face
    fobj: np.ndarray  # object of each scene face
    voff: np.ndarray  # (n,) first scene vertex of each object
    fnc: np.ndarray  # face normal x + iy
    fnz: np.ndarray
    fcc: np.ndarray  # face centre x + iy
    fcz: np.ndarray
    sphere_centre: np.ndarray  # (n, 3), NaN rows for non-spheres
    sphere_radius: np.ndarray  # (n,)

    @property
    def n_faces(self) -> int:
        return len(self.fsel)

    @functools.cached_property
    def vertices(self) -> np.ndarray:
        return np.column_stack([self.wc.real, self.wc.imag, self.wz])

    @functools.cached_property
    def normals(self) -> np.ndarray:
        return np.column_stack([self.fnc.real, self.fnc.imag, self.fnz])

    @functools.cached_property
    def centres(self) -> np.ndarray:
        return np.column_stack([self.fcc.real, self.fcc.imag, self.fcz])

    @functools.cached_property
    def face_vertices(self) -> tuple[np.ndarray, np.ndarray]:
        """(scene vertex indices of all faces concatenated, (F + 1,) starts)."""
        p = PACKED
        lens = p.flen[self.fsel]
        cum = np.cumsum(lens)
        total = int(cum[-1]) if len(cum) else 0
        pos = np.arange(total) + np.repeat(p.fst[self.fsel] - (cum - lens), lens)
        idx = p.fv[pos] + np.repeat(self.voff[self.fobj], lens)
        return idx, np.concatenate([[0], cum]).astype(np.int64)


def painter_order(
    xs: np.ndarray, ys: np.ndarray, radii: np.ndarray, cam_xy: tuple[float, float]
) -> np.ndarray:
    """Back-to-front order of objects standing in disjoint vertical cylinders (see module
    docstring): decreasing power of the camera's ground point w.r.t. the footprint discs."""
    dx = xs - cam_xy[0]
    dy = ys - cam_xy[1]
    return np.argsort(radii * radii - dx * dx - dy * dy, kind="stable")


def build_geometry(scene: Scene, shadows: bool = True) -> SceneGeometry:
    """Compute the draw list of `scene` (see module docstring)."""
    a = scene.arrays
    n = len(scene.objects)
    cam = scene.camera
    params = cam.params
    ox, oy, oz, r00, r01, r02, r10, r11, r12, r20, r21, r22, foc, pcx, pcy = params
    light = scene.light.direction
    stage = scene.stage
    sky = _rgb01(stage.backdrop_rgb, 1.1)
    ground = _rgb01(stage.ground_rgb, 0.3)
    scale = a.scale
    pos = a.x + 1j * a.y
    shl = a.shape_idx.tolist()
    p = PACKED
    mk = [k for k in range(n) if shl[k] != SPHERE]
    sph = [k for k in range(n) if shl[k] == SPHERE]
    voff = np.zeros(n, dtype=np.int64)
    lo = np.zeros((n, 2))
    hi = np.zeros((n, 2))
    order = painter_order(a.x, a.y, a.footprint, (ox, oy))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)

    # ---- meshes: world space, one projection, visible faces, shading ----
    xy: list[list[float]] = []
    ink: list[int] = []
    kid: list[int] = []
    tags: list[int] = []
    fcount: list[int] = [0] * n
    if mk:
        mshape = [shl[k] for k in mk]
        mka = np.array(mk)
        msa = np.array(mshape)
        nvs = p.nv[msa]
        nfs = p.nf[msa]
        vsel = np.concatenate([p.vrange[s] for s in mshape])
        fsel = np.concatenate([p.frange[s] for s in mshape])
        vo = np.repeat(mka, nvs)
        fo = np.repeat(mka, nfs)
        vstart = np.cumsum(nvs) - nvs
        voff[mka] = vstart
        srot = np.exp(1j * np.radians(a.rotation_deg))
        sr = srot * scale
        wc = p.vc[vsel] * sr[vo] + pos[vo]
        wz = p.vz[vsel] * scale[vo]
        dx, dy, dz = wc.real - ox, wc.imag - oy, wz - oz
        iz = foc / (r20 * dx + r21 * dy + r22 * dz)
        uv = np.empty((len(wz), 2))
        uv[:, 0] = pcx + (r00 * dx + r01 * dy + r02 * dz) * iz
        uv[:, 1] = pcy - (r10 * dx + r11 * dy + r12 * dz) * iz
        lo[mka] = np.minimum.reduceat(uv, vstart)
        hi[mka] = np.maximum.reduceat(uv, vstart)
        fnc = p.nc[fsel] * srot[fo]
        fnz = p.nz[fsel]
        fcc = p.cc[fsel] * sr[fo] + pos[fo]
        fcz = p.cz[fsel] * scale[fo]
        vxy = complex(ox, oy) - fcc
        vz = oz - fcz
        vis = np.flatnonzero((fnc.conjugate() * vxy).real + fnz * vz > 0.0)
        vxy, vz = vxy[vis], vz[vis]
        dist = np.hypot(np.abs(vxy), vz)
        # painter's order of objects, far to near within each object
        srt = np.lexsort((-dist, rank[fo[vis]]))
        vis = vis[srt]
        nvis = len(vis)
        nrm = np.empty((3, nvis))
        fn = fnc[vis]
        nrm[0] = fn.real
        nrm[1] = fn.imag
        nrm[2] = fnz[vis]
        view = np.empty((3, nvis))
        idist = 1.0 / dist[srt]
        vv = vxy[srt] * idist
        view[0] = vv.real
        view[1] = vv.imag
        view[2] = vz[srt] * idist
        fov = fo[vis]
        ink = shade(
            _BASE[a.color_idx[fov]],
            nrm,
            view,
            np.array(light),
            a.metal[fov],
            np.array(sky),
            np.array(ground),
        )
        ink = ink.tolist()
        pf = fsel[vis]
        lens = p.flen[pf]
        cum = np.cumsum(lens)
        rows = np.arange(int(cum[-1])) + np.repeat(p.fst[pf] - (cum - lens), lens)
        flat = uv[p.fv[rows] + np.repeat(voff[fov], lens)].ravel().tolist()
        ends = (2 * cum).tolist()
        xy = [flat[s:e] for s, e in zip([0, *ends[:-1]], ends, strict=True)]
        kid = (fov + 1).tolist()
        tags = (vis + 1).tolist()
        fcount = np.bincount(fov, minlength=n).tolist()
    else:
        wc = fnc = fcc = np.zeros(0, dtype=complex)
        wz = fnz = fcz = np.zeros(0)
        fsel = fo = np.zeros(0, dtype=np.int64)
    n_faces = len(fsel)
    to_ids = [True] * len(xy)

    # ---- spheres: Python floats, spliced into the draw list at their painter rank ----
    sphere_centre = np.full((n, 3), np.nan)
    sphere_radius = np.zeros(n)
    if sph:
        xs, ys, sc = a.x.tolist(), a.y.tolist(), scale.tolist()
        cidx, metal = a.color_idx.tolist(), a.metal.tolist()
        rk = rank.tolist()
        starts = np.cumsum([0, *(fcount[k] for k in order)]).tolist()
        cuts: list[tuple[int, int, list[list[float]], list[int], list[bool]]] = []
        for k in sph:
            centre = (xs[k], ys[k], sc[k])
            polys, inks, ids, box = sphere_polygons(
                params, light, centre, sc[k], _BASE_T[cidx[k]], metal[k], sky, ground
            )
            cuts.append((starts[rk[k]], k, polys, inks, ids))
            lo[k] = box[:2]
            hi[k] = box[2:]
            sphere_centre[k] = centre
            sphere_radius[k] = sc[k]
        # splice from the back so earlier insertion points stay valid (on ties the nearer
        # sphere goes in first, so it ends up after the farther one)
        for at, k, polys, inks, ids in sorted(cuts, key=lambda c: (-c[0], -rk[c[1]])):
            m = len(polys)
            xy[at:at] = polys
            ink[at:at] = inks
            to_ids[at:at] = ids
            kid[at:at] = [k + 1] * m
            tags[at:at] = [n_faces + 1 + k] * m

    # ---- screen boxes (superset of every pixel an object can cover) ----
    boxes = np.empty((n, 4), dtype=np.int64)
    boxes[:, 0:2] = np.maximum(np.floor(lo) - 1, 0)
    boxes[:, 2:4] = np.minimum(np.ceil(hi) + 1, (cam.width - 1, cam.height - 1))

    # ---- shadows on the ground ----
    shadow_polys: list[list[float]] = []
    if shadows:
        sh = shadow_outlines(light)[a.shape_idx] * scale[:, None] + pos[:, None]
        dx, dy = sh.real - ox, sh.imag - oy
        iz = foc / (r20 * dx + r21 * dy - r22 * oz)
        suv = np.empty((*sh.shape, 2))
        suv[..., 0] = pcx + (r00 * dx + r01 * dy - r02 * oz) * iz
        suv[..., 1] = pcy - (r10 * dx + r11 * dy - r12 * oz) * iz
        shadow_polys = suv.reshape(n, -1).tolist()

    return SceneGeometry(
        xy=xy,
        ink=ink,
        kid=kid,
        to_ids=to_ids,
        tag=np.array(tags, dtype=np.int64),
        shadows=shadow_polys,
        order=order.tolist(),
        boxes=boxes,
        wc=wc,
        wz=wz,
        fsel=fsel,
        fobj=fo,
        voff=voff,
        fnc=fnc,
        fnz=fnz,
        fcc=fcc,
        fcz=fcz,
        sphere_centre=sphere_centre,
        sphere_radius=sphere_radius,
    )


def _rgb01(rgb: tuple[int, int, int], k: float = 1.0) -> tuple[float, float, float]:
    return (rgb[0] * k / 255.0, rgb[1] * k / 255.0, rgb[2] * k / 255.0)


_BASE_T = [tuple(row) for row in _BASE.tolist()]
