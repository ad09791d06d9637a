"""Sphere drawing: exact perspective silhouette plus nested shading bands.

A sphere is not tessellated. Its silhouette is the projection of the circle where the
camera's tangent cone touches it (exact up to the polygon's SEGMENTS vertices); shading is
a set of nested bands, each a homothetic copy of the silhouette shrunk towards the
brightest point, coloured with the normal that band stands for. Homothety towards a point
inside a convex polygon keeps every band inside the silhouette, so only bands close to the
rim (within IDS_MARGIN_PX) can touch a pixel the silhouette does not cover; only those are
drawn into the instance map too, which keeps the id map exact at a fraction of the cost.

Written with Python floats on purpose: a scene has one or two spheres, and for a handful of
small vectors plain arithmetic is several times cheaper than numpy calls.
"""

from __future__ import annotations

import math

from synthgen.world.shading import shade_scalar

SEGMENTS = 20
"""Vertices of a sphere's silhouette polygon."""
BANDS = (1.0, 0.86, 0.71, 0.56, 0.41, 0.25)
"""Homothety factors of the nested shading bands (1.0 = the silhouette)."""
SPOT = 0.13
"""Size of a metal sphere's highlight relative to its silhouette."""
IDS_MARGIN_PX = 2.0
"""Bands at least this far inside the silhouette are drawn into the RGB image only."""

_RING = [
    (math.cos(2 * math.pi * i / SEGMENTS), math.sin(2 * math.pi * i / SEGMENTS))
    for i in range(SEGMENTS)
]
# angle (as a fraction of a right angle) between a band's normal and the brightest normal:
# a point at fraction k of the radius from the centre of a sphere's disc has a normal at
# asin(k) from the view direction
_MID = [
    math.asin((b + nb) / 2) / (math.pi / 2) for b, nb in zip(BANDS, (*BANDS[1:], 0.0), strict=True)
]
_COS_HALF_STEP = math.cos(math.pi / SEGMENTS)
_SPOT_RGB = (0.96, 0.96, 0.94)


def _unit(x: float, y: float, z: float) -> tuple[float, float, float]:
    n = math.sqrt(x * x + y * y + z * z)
    return x / n, y / n, z / n


def sphere_polygons(
    cam: tuple[float, ...],
    light: tuple[float, float, float],
    centre: tuple[float, float, float],
    rho: float,
    base: tuple[float, float, float],
    metal: bool,
    sky: tuple[float, float, float],
    ground: tuple[float, float, float],
) -> tuple[list[list[float]], list[int], list[bool], tuple[float, float, float, float]]:
    """Polygons (flat image coordinates, in drawing order), RGB inks, into-ids flags and
    the silhouette's (u_min, v_min, u_max, v_max) for one sphere.

    cam: `Camera.params`; light: unit vector to the light; base, sky, ground: colours in
    0..1 (ground already dimmed as `shade` expects)."""
    ox, oy, oz, r00, r01, r02, r10, r11, r12, r20, r21, r22, foc, pcx, pcy = cam
    cx, cy, cz = centre
    tx, ty, tz = ox - cx, oy - cy, oz - cz
    d2 = tx * tx + ty * ty + tz * tz
    d = math.sqrt(d2)
    vx, vy, vz = tx / d, ty / d, tz / d
    # tangent circle: centre q, radius r, spanned by e1 (horizontal) and e2 = v x e1
    k2 = rho * rho / d2
    qx, qy, qz = cx + tx * k2, cy + ty * k2, cz + tz * k2
    r = rho * math.sqrt(1.0 - k2)
    hn = math.hypot(vx, vy)
    e1x, e1y = vy / hn, -vx / hn
    e2x, e2y, e2z = -vz * e1y, vz * e1x, -hn
    # camera coordinates of q, r*e1, r*e2 (a ring point is Q + c*E1 + s*E2)
    dx, dy, dz = qx - ox, qy - oy, qz - oz
    qa, qb, qc = (
        r00 * dx + r01 * dy + r02 * dz,
        r10 * dx + r11 * dy + r12 * dz,
        r20 * dx + r21 * dy + r22 * dz,
    )
    a1, b1, c1 = (
        r * (r00 * e1x + r01 * e1y),
        r * (r10 * e1x + r11 * e1y),
        r * (r20 * e1x + r21 * e1y),
    )
    a2 = r * (r00 * e2x + r01 * e2y + r02 * e2z)
    b2 = r * (r10 * e2x + r11 * e2y + r12 * e2z)
    c2 = r * (r20 * e2x + r21 * e2y + r22 * e2z)
    ring: list[float] = []  # interleaved u0, v0, u1, v1, ...
    for c, s in _RING:
        iz = foc / (qc + c * c1 + s * c2)
        ring.append(pcx + (qa + c * a1 + s * a2) * iz)
        ring.append(pcy - (qb + c * b1 + s * b2) * iz)
    us, vs = ring[0::2], ring[1::2]
    mu = sum(us) / SEGMENTS
    mv = sum(vs) / SEGMENTS
    rin = min(math.hypot(u - mu, v - mv) for u, v in zip(us, vs, strict=True)) * _COS_HALF_STEP

    def project(px: float, py: float, pz: float) -> tuple[float, float]:
        ex, ey, ez = px - ox, py - oy, pz - oz
        iz = foc / (r20 * ex + r21 * ey + r22 * ez)
        return pcx + (r00 * ex + r01 * ey + r02 * ez) * iz, pcy - (
            r10 * ex + r11 * ey + r12 * ez
        ) * iz

    def inside(n: tuple[float, float, float], limit: float) -> tuple[float, float, float]:
        """Image point of the surface point with normal n, pulled inside the silhouette
        to at most limit * rin from its centre; also returns its distance to the rim."""
        hu, hv = project(cx + rho * n[0], cy + rho * n[1], cz + rho * n[2])
        ou, ov = hu - mu, hv - mv
        ln = max(math.hypot(ou, ov), 1e-9)
        f = min(1.0, limit * rin / ln)
        return mu + ou * f, mv + ov * f, rin - ln * f

    lx, ly, lz = light
    n0 = _unit(lx + 0.6 * vx, ly + 0.6 * vy, lz + 0.6 * vz)  # brightest point
    hu, hv, margin = inside(n0, 0.6)
    # band normals: n0 turned away from the light, further towards the rim
    dl = lx * n0[0] + ly * n0[1] + lz * n0[2]
    ax, ay, az = dl * n0[0] - lx, dl * n0[1] - ly, dl * n0[2] - lz
    an = math.sqrt(ax * ax + ay * ay + az * az)
    ax, ay, az = (ax / an, ay / an, az / an) if an > 1e-6 else (e1x, e1y, 0.0)
    ang_max = math.pi / 2 + math.acos(max(-1.0, min(1.0, n0[0] * vx + n0[1] * vy + n0[2] * vz)))
    view = (vx, vy, vz)
    polys: list[list[float]] = []
    inks: list[int] = []
    to_ids: list[bool] = []
    for k, mid in zip(BANDS, _MID, strict=True):
        ca, sa = math.cos(ang_max * mid), math.sin(ang_max * mid)  # mid: see _MID
        nrm = (ca * n0[0] + sa * ax, ca * n0[1] + sa * ay, ca * n0[2] + sa * az)
        inks.append(shade_scalar(base, nrm, view, light, metal, sky, ground))
        to_ids.append((1.0 - k) * margin < IDS_MARGIN_PX)
        polys.append(_homothety(ring, hu, hv, k))
    if metal:
        nh = _unit(lx + vx, ly + vy, lz + vz)
        su, sv, smargin = inside(nh, 0.75)
        polys.append(_homothety(ring, su, sv, SPOT))
        inks.append(_spot_ink())
        to_ids.append((1.0 - SPOT) * smargin < IDS_MARGIN_PX)
    return polys, inks, to_ids, (min(us), min(vs), max(us), max(vs))


def _homothety(ring: list[float], cu: float, cv: float, k: float) -> list[float]:
    """The interleaved polygon `ring` scaled by k towards (cu, cv)."""
    offs = [cu * (1.0 - k), cv * (1.0 - k)] * SEGMENTS
    return [o + k * p for o, p in zip(offs, ring, strict=True)]


def _spot_ink() -> int:
    r, g, b = (min(255, max(0, int(c * 255.0 + 0.5))) for c in _SPOT_RGB)
    return (r | (g << 8) | (b << 16)) - (1 << 24)  # alpha 0xFF, as a signed 32-bit int
