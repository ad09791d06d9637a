"""Exact depth maps and unoccluded areas, recomputed from the renderer's drawing lists.

Why exact: the id map says which object was drawn last at each pixel. Redrawing the very
same polygons in the very same order into an int32 "surface map" (fill = surface tag
instead of object id) tells, for every pixel, which face or sphere was drawn last there;
the depth is then the distance along that pixel's ray to that surface. So depth and id
map can never disagree about which object a pixel shows. Nothing here runs unless a
consumer asks for depth or visible fractions.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from synthgen.world.backdrop import ground_distance
from synthgen.world.fill import label_canvas, polygon_filler
from synthgen.world.geometry import SceneGeometry
from synthgen.world.scene import Scene


def surface_map(geo: SceneGeometry, size: tuple[int, int], everything: bool = False) -> np.ndarray:
    """(H, W) int32: tag of the surface drawn last at each pixel (0 = none)."""
    img = Image.new("I", size, 0)
    fill = polygon_filler(img)
    for xy, to_ids, tag in zip(geo.xy, geo.to_ids, geo.tag.tolist(), strict=True):
        if to_ids or everything:
            fill(xy, tag, 1)
    return np.asarray(img, dtype=np.int32)


def face_distance_ranges(geo: SceneGeometry, eye: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact (min, max) distance from `eye` to each (planar convex) mesh face."""
    if geo.n_faces == 0:
        return np.zeros(0), np.zeros(0)
    idx, fstart = geo.face_vertices
    starts = fstart[:-1]
    ends = fstart[1:]
    nxt = np.roll(idx, -1)
    nxt[ends - 1] = idx[starts]
    a = geo.vertices[idx]
    b = geo.vertices[nxt]
    ab = b - a
    t = np.clip(np.einsum("ij,ij->i", eye - a, ab) / np.einsum("ij,ij->i", ab, ab), 0.0, 1.0)
    seg = np.linalg.norm(eye - (a + t[:, None] * ab), axis=1)
    dmin_edges = np.minimum.reduceat(seg, starts)
    dmax = np.maximum.reduceat(np.linalg.norm(a - eye, axis=1), starts)
    n = geo.normals
    off = np.einsum("ij,ij->i", eye - geo.centres, n)
    foot = eye - off[:, None] * n  # projection of the eye onto each face plane
    face_of_edge = np.repeat(np.arange(geo.n_faces), ends - starts)
    side = np.einsum("ij,ij->i", np.cross(ab, foot[face_of_edge] - a), n[face_of_edge])
    inside = np.logical_and.reduceat(side >= -1e-12, starts)
    dmin = np.where(inside, np.abs(off), dmin_edges)
    return dmin, dmax


def depth_from_geometry(
    scene: Scene,
    geo: SceneGeometry,
    ids: np.ndarray,
    include_ground: bool = False,
    everything: bool = False,
) -> np.ndarray:
    """(H, W) float32 Euclidean camera distance; see `Rendering` for the contract."""
    cam = scene.camera
    h, w = ids.shape
    out = np.full((h, w), np.inf, dtype=np.float64)
    if include_ground:
        g = ground_distance(scene.stage)
        out[ids == 0] = g[ids == 0]
    ys, xs = np.nonzero(ids)
    if len(xs) == 0:
        return out.astype(np.float32)
    tags = surface_map(geo, (w, h), everything)[ys, xs]
    d = cam.ray_directions(xs, ys)
    eye = cam.origin
    t = np.empty(len(xs))
    mesh = tags <= geo.n_faces
    if mesh.any():
        f = tags[mesh] - 1
        nrm = geo.normals[f]
        num = np.einsum("ij,ij->i", nrm, geo.centres[f] - eye)
        den = np.einsum("ij,ij->i", nrm, d[mesh])
        lo, hi = face_distance_ranges(geo, eye)
        with np.errstate(divide="ignore", invalid="ignore"):
            tm = num / den
        tm = np.where(np.isfinite(tm) & (tm > 0), tm, hi[f])
        t[mesh] = np.clip(tm, lo[f], hi[f])
    sph = ~mesh
    if sph.any():
        k = tags[sph] - geo.n_faces - 1
        centre = geo.sphere_centre[k]
        rho = geo.sphere_radius[k]
        ds = d[sph]
        oc = eye - centre
        b = np.einsum("ij,ij->i", ds, oc)
        disc = b * b - (np.einsum("ij,ij->i", oc, oc) - rho * rho)
        hit = -b - np.sqrt(np.maximum(disc, 0.0))
        # rim pixels whose ray passes just outside: the sphere point nearest the ray
        q = eye + ds * (-b)[:, None]
        qc = q - centre
        s = centre + rho[:, None] * qc / np.linalg.norm(qc, axis=1, keepdims=True)
        near = np.linalg.norm(s - eye, axis=1)
        t[sph] = np.where(disc >= 0, hit, near)
    out[ys, xs] = t
    return out.astype(np.float32)


def unoccluded_counts(
    geo: SceneGeometry,
    size: tuple[int, int],
    counts: np.ndarray,
    everything: bool = False,
) -> np.ndarray:
    """(n,) pixels of each object drawn alone with the same polygons.

    counts: (n,) visible pixels per object. Equals the visible count unless an object drawn
    later has an overlapping screen box; only those objects are redrawn alone -- at the
    same coordinates (Pillow's rasterisation is not translation invariant), into one
    scratch image just large enough for their boxes, cleared box by box -- and their
    pixels counted within their box."""
    n = len(geo.boxes)
    out = np.array(counts[:n], dtype=np.int64)
    if n < 2:
        return out
    b = geo.boxes.tolist()
    order = geo.order
    need = []
    for i, k in enumerate(order[:-1]):
        x0, y0, x1, y1 = b[k]
        for j in order[i + 1 :]:
            u0, v0, u1, v1 = b[j]
            if u0 <= x1 and x0 <= u1 and v0 <= y1 and y0 <= v1:
                need.append(k)
                break
    if not need:
        return out
    scratch, arr = label_canvas(max(b[k][2] for k in need) + 1, max(b[k][3] for k in need) + 1)
    fill = polygon_filler(scratch)
    coords = geo.coords
    for k in need:
        x0, y0, x1, y1 = b[k]
        lo, hi = geo.block_start[k], geo.block_end[k]
        if arr is not None:
            arr[y0 : y1 + 1, x0 : x1 + 1] = 0
        else:
            scratch.paste(0, (x0, y0, x1 + 1, y1 + 1))
        for start, end, to_ids in zip(
            geo.starts[lo:hi], geo.ends[lo:hi], geo.to_ids[lo:hi], strict=True
        ):
            if to_ids or everything:
                fill(coords[start:end], 1, 1)
        if arr is not None:
            out[k] = np.count_nonzero(arr[y0 : y1 + 1, x0 : x1 + 1])
        else:
            box = (x0, y0, x1 + 1, y1 + 1)
            out[k] = (x1 - x0 + 1) * (y1 - y0 + 1) - scratch.crop(box).histogram()[0]
    return out
