"""Sphere drawing: exact perspective silhouette plus nested shading bands.

A sphere is not tessellated. Its silhouette is the projection of the circle where the
camera's tangent cone touches it (exact up to the polygon's SEGMENTS vertices); shading is
a set of nested bands, each a homothetic copy of the silhouette shrunk towards the
brightest point, coloured with the normal that band stands for. Homothety towards a point
inside a convex polygon keeps every band inside the silhouette, so only bands close to the
rim (within IDS_MARGIN_PX) can touch a pixel the silhouette does not cover; only those are
drawn into the instance map too, which keeps the id map exact at a fraction of the cost.

`sphere_batch` does every sphere of a batch of scenes with one set of numpy calls (a scene
has one or two spheres, so one at a time would be all per-call overhead). Per-element work
is elementwise IEEE arithmetic; the few trigonometric values per sphere and the mean of
the silhouette's vertices go through Python floats, so a sphere's polygons never depend on
the other spheres of the batch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

SEGMENTS = 20
"""Vertices of a sphere's silhouette polygon."""
BANDS = (1.0, 0.86, 0.71, 0.56, 0.41, 0.25)
"""Homothety factors of the nested shading bands (1.0 = the silhouette)."""
SPOT = 0.13
"""Size of a metal sphere's highlight relative to its silhouette."""
IDS_MARGIN_PX = 2.0
"""Bands at least this far inside the silhouette are drawn into the RGB image only."""

_RC = np.array([math.cos(2 * math.pi * i / SEGMENTS) for i in range(SEGMENTS)])
_RS = np.array([math.sin(2 * math.pi * i / SEGMENTS) for i in range(SEGMENTS)])
# angle (as a fraction of a right angle) between a band's normal and the brightest normal:
# a point at fraction k of the radius from the centre of a sphere's disc has a normal at
# asin(k) from the view direction
_MID = [
    math.asin((b + nb) / 2) / (math.pi / 2) for b, nb in zip(BANDS, (*BANDS[1:], 0.0), strict=True)
]
_K = np.array(BANDS)
_COS_HALF_STEP = math.cos(math.pi / SEGMENTS)
_SPOT_RGB = (0.96, 0.96, 0.94)


def _spot_ink() -> int:
    r, g, b = (min(255, max(0, int(c * 255.0 + 0.5))) for c in _SPOT_RGB)
    return (r | (g << 8) | (b << 16)) - (1 << 24)  # alpha 0xFF, as a signed 32-bit int


SPOT_INK = _spot_ink()


@dataclass(frozen=True, eq=False)
class SphereBatch:
    """Polygons of a batch of spheres: first every sphere's len(BANDS) bands (sphere by
    sphere), then one highlight spot per metal sphere. `band` is a polygon's drawing
    position within its sphere (bands 0..len(BANDS)-1, the spot after them).

    The bands' inks are left to the caller, who shades `facets` (the `shade_facets`
    arguments of the band polygons, in order) together with its other facets; the spots'
    `ink` is SPOT_INK (`inks` assembles both)."""

    u: np.ndarray  # (Q, SEGMENTS) image x of each polygon's vertices
    v: np.ndarray  # (Q, SEGMENTS)
    to_ids: np.ndarray  # (Q,) bool: also drawn into the instance map
    sphere: np.ndarray  # (Q,) index of the polygon's sphere
    band: np.ndarray  # (Q,) position of the polygon within its sphere
    box: np.ndarray  # (4, S) silhouette's u_min, v_min, u_max, v_max
    facets: tuple  # shade_facets(*facets) -> inks of the band polygons
    n_bands: int
    n_spots: int

    def inks(self, band_inks: np.ndarray) -> np.ndarray:
        """(Q,) inks of all polygons, given the inks of `facets`."""
        return np.concatenate([band_inks, np.full(self.n_spots, SPOT_INK, dtype=np.int64)])


def _unit(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, ...]:
    n = np.sqrt(x * x + y * y + z * z)
    return x / n, y / n, z / n


def sphere_batch(
    cam: np.ndarray,
    light: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    rho: np.ndarray,
    base: tuple[np.ndarray, np.ndarray, np.ndarray],
    metal: np.ndarray,
    env: np.ndarray,
) -> SphereBatch:
    """Polygons, shading inputs, into-ids flags and silhouette boxes of S spheres resting
    on the ground (centre (x, y, rho), radius rho).

    cam: (15, S) `Camera.params` of each sphere's scene; light: (3, S) unit vectors to the
    light; base: colours in 0..1; env: (6, S) sky and ground colours as `shade_facets`
    expects them."""
    ox, oy, oz, r00, r01, r02, r10, r11, r12, r20, r21, r22, foc, pcx, pcy = cam
    lx, ly, lz = light
    ns = len(x)
    cx, cy, cz = x, y, rho
    tx, ty, tz = ox - cx, oy - cy, oz - cz
    d2 = tx * tx + ty * ty + tz * tz
    d = np.sqrt(d2)
    vx, vy, vz = tx / d, ty / d, tz / d
    # tangent circle: centre q, radius r, spanned by e1 (horizontal) and e2 = v x e1
    k2 = rho * rho / d2
    qx, qy, qz = cx + tx * k2, cy + ty * k2, cz + tz * k2
    r = rho * np.sqrt(1.0 - k2)
    hn = np.sqrt(vx * vx + vy * vy)
    e1x, e1y = vy / hn, -vx / hn
    e2x, e2y, e2z = -vz * e1y, vz * e1x, -hn
    # camera coordinates of q, r*e1, r*e2 (a ring point is Q + c*E1 + s*E2)
    dx, dy, dz = qx - ox, qy - oy, qz - oz
    qa = r00 * dx + r01 * dy + r02 * dz
    qb = r10 * dx + r11 * dy + r12 * dz
    qc = r20 * dx + r21 * dy + r22 * dz
    a1 = r * (r00 * e1x + r01 * e1y)
    b1 = r * (r10 * e1x + r11 * e1y)
    c1 = r * (r20 * e1x + r21 * e1y)
    a2 = r * (r00 * e2x + r01 * e2y + r02 * e2z)
    b2 = r * (r10 * e2x + r11 * e2y + r12 * e2z)
    c2 = r * (r20 * e2x + r21 * e2y + r22 * e2z)
    col = np.newaxis
    iz = foc[:, col] / (qc[:, col] + _RC * c1[:, col] + _RS * c2[:, col])
    us = pcx[:, col] + (qa[:, col] + _RC * a1[:, col] + _RS * a2[:, col]) * iz
    vs = pcy[:, col] - (qb[:, col] + _RC * b1[:, col] + _RS * b2[:, col]) * iz
    # vertex mean with Python's left-to-right float sum (independent of the batch)
    mu = np.array([sum(row) for row in us.tolist()]) / SEGMENTS
    mv = np.array([sum(row) for row in vs.tolist()]) / SEGMENTS
    du = us - mu[:, col]
    dv = vs - mv[:, col]
    rin = np.sqrt(du * du + dv * dv).min(axis=1) * _COS_HALF_STEP

    def inside(nx, ny, nz, limit):
        """Image point of the surface point with normal n, pulled inside the silhouette
        to at most limit * rin from its centre; also returns its distance to the rim."""
        ex, ey, ez = cx + rho * nx - ox, cy + rho * ny - oy, cz + rho * nz - oz
        jz = foc / (r20 * ex + r21 * ey + r22 * ez)
        hu = pcx + (r00 * ex + r01 * ey + r02 * ez) * jz
        hv = pcy - (r10 * ex + r11 * ey + r12 * ez) * jz
        ou, ov = hu - mu, hv - mv
        ln = np.maximum(np.sqrt(ou * ou + ov * ov), 1e-9)
        f = np.minimum(1.0, limit * rin / ln)
        return mu + ou * f, mv + ov * f, rin - ln * f

    n0x, n0y, n0z = _unit(lx + 0.6 * vx, ly + 0.6 * vy, lz + 0.6 * vz)  # brightest point
    hu, hv, margin = inside(n0x, n0y, n0z, 0.6)
    # band normals: n0 turned away from the light, further towards the rim
    dl = lx * n0x + ly * n0y + lz * n0z
    ax, ay, az = dl * n0x - lx, dl * n0y - ly, dl * n0z - lz
    an = np.sqrt(ax * ax + ay * ay + az * az)
    ok = an > 1e-6
    an = np.where(ok, an, 1.0)
    ax = np.where(ok, ax / an, e1x)
    ay = np.where(ok, ay / an, e1y)
    az = np.where(ok, az / an, 0.0)
    cosv = (n0x * vx + n0y * vy + n0z * vz).tolist()
    ang = [math.pi / 2 + math.acos(max(-1.0, min(1.0, c))) for c in cosv]
    ca = np.array([[math.cos(a * mid) for mid in _MID] for a in ang]).reshape(ns, len(BANDS))
    sa = np.array([[math.sin(a * mid) for mid in _MID] for a in ang]).reshape(ns, len(BANDS))
    nb = len(BANDS)
    rep = np.repeat
    facets = (
        tuple(rep(b, nb) for b in base),
        (
            (ca * n0x[:, col] + sa * ax[:, col]).ravel(),
            (ca * n0y[:, col] + sa * ay[:, col]).ravel(),
            (ca * n0z[:, col] + sa * az[:, col]).ravel(),
        ),
        (rep(vx, nb), rep(vy, nb), rep(vz, nb)),
        (rep(lx, nb), rep(ly, nb), rep(lz, nb)),
        rep(metal, nb),
        (rep(env[0], nb), rep(env[1], nb), rep(env[2], nb)),
        (rep(env[3], nb), rep(env[4], nb), rep(env[5], nb)),
    )
    k = _K[:, col]
    pu = (hu[:, col, col] * (1.0 - k)) + k * us[:, col, :]  # (S, bands, SEGMENTS)
    pv = (hv[:, col, col] * (1.0 - k)) + k * vs[:, col, :]
    to_ids = (1.0 - _K) * margin[:, col] < IDS_MARGIN_PX
    # metal spheres: a highlight spot after the bands
    mi = metal.nonzero()[0]
    nsp = len(mi)
    if nsp:
        hx, hy, hz = _unit(lx + vx, ly + vy, lz + vz)
        su, sv, smargin = inside(hx, hy, hz, 0.75)
        spot_u = (su[mi, col] * (1.0 - SPOT)) + SPOT * us[mi]
        spot_v = (sv[mi, col] * (1.0 - SPOT)) + SPOT * vs[mi]
        spot_ids = (1.0 - SPOT) * smargin[mi] < IDS_MARGIN_PX
    else:
        spot_u = spot_v = np.zeros((0, SEGMENTS))
        spot_ids = np.zeros(0, dtype=bool)
    return SphereBatch(
        u=np.concatenate([pu.reshape(-1, SEGMENTS), spot_u]),
        v=np.concatenate([pv.reshape(-1, SEGMENTS), spot_v]),
        to_ids=np.concatenate([to_ids.ravel(), spot_ids]),
        sphere=np.concatenate([np.repeat(np.arange(ns), nb), mi]),
        band=np.concatenate([np.tile(np.arange(nb), ns), np.full(nsp, nb)]),
        box=np.stack([us.min(axis=1), vs.min(axis=1), us.max(axis=1), vs.max(axis=1)]),
        facets=facets,
        n_bands=ns * nb,
        n_spots=nsp,
    )
