"""Flat shading of facets: Lambert + ambient for rubber, dark reflective + specular for metal.

One vectorised call shades every facet of a scene (mesh faces and sphere bands together)
and returns Pillow inks; it is a fixed, small number of numpy calls because at ~100 facets
per scene numpy's per-call overhead is the whole cost. Metal is made to *look* different
from rubber rather than to be physically exact: low diffuse, the environment (backdrop
colour where the mirror direction points up, ground colour where it points down) reflected
and tinted by the base colour, and a sharp white highlight.
"""

from __future__ import annotations

import math

import numpy as np

_INK_WEIGHTS = np.array([1.0, 256.0, 65536.0])
_OPAQUE = float(0xFF000000 - (1 << 32))  # alpha byte of an "RGB" ink, as a signed int


def ink_of(rgb: np.ndarray) -> np.ndarray:
    """Colours (N, 3) in 0..1 -> (N,) int64 Pillow inks for mode "RGB" images."""
    c = np.floor(np.clip(rgb * 255.0 + 0.5, 0.0, 255.0))
    return (c @ _INK_WEIGHTS + _OPAQUE).astype(np.int64)


def shade(
    base: np.ndarray,
    normals: np.ndarray,
    view: np.ndarray,
    light: np.ndarray,
    metal: np.ndarray,
    sky: np.ndarray,
    ground: np.ndarray,
) -> np.ndarray:
    """(N,) int64 inks of N facets.

    base: (N, 3) colours in 0..1; normals, view: (3, N) unit normals and unit vectors
    towards the camera; light: (3,) unit vector towards the light; metal: (N,) bool;
    sky, ground: (3,) environment colours in 0..1.
    """
    ndl = light @ normals
    ndv = (normals * view).sum(axis=0)
    lam = np.maximum(ndl, 0.0)
    # n . normalize(v + l) without forming the half vector: |v + l|^2 = 2 + 2 v.l
    ndh = np.maximum((ndv + ndl) / np.sqrt(2.0 + 2.0 * (light @ view)), 0.0)
    ndh2 = ndh * ndh
    ndh4 = ndh2 * ndh2
    ndh8 = ndh4 * ndh4
    ndh16 = ndh8 * ndh8
    k = np.where(metal, 0.04 + 0.25 * lam, 0.30 + 0.78 * lam + 0.10 * np.maximum(ndv, 0.0))
    spec = np.where(metal, 0.3 * ndh4 * ndh2, 0.05 * ndh8 * ndh4)
    # does the mirror direction see the sky (backdrop) or the ground?
    up = np.clip((2.0 * ndv * normals[2] - view[2]) * 4.0 + 0.5, 0.0, 1.0)[:, None]
    env = (ground + (sky - ground) * up) * (0.07 + 0.63 * base)
    # metal: a broad highlight tinted by the base colour (a face catching the light keeps
    # its colour) plus a narrow white glint
    tint = np.where(metal[:, None], 0.45 + 0.55 * base, 1.0)
    glint = np.where(metal, 0.7 * ndh16 * ndh16, 0.0)
    col = base * k[:, None] + spec[:, None] * tint + glint[:, None] + env * metal[:, None]
    return ink_of(col)


def shade_scalar(
    base: tuple[float, float, float],
    normal: tuple[float, float, float],
    view: tuple[float, float, float],
    light: tuple[float, float, float],
    metal: bool,
    sky: tuple[float, float, float],
    ground: tuple[float, float, float],
) -> int:
    """`shade` for one facet with Python floats (same formula, same ink)."""
    nx, ny, nz = normal
    vx, vy, vz = view
    lx, ly, lz = light
    ndl = lx * nx + ly * ny + lz * nz
    ndv = nx * vx + ny * vy + nz * vz
    lam = max(ndl, 0.0)
    ndh = max((ndv + ndl) / math.sqrt(2.0 + 2.0 * (lx * vx + ly * vy + lz * vz)), 0.0)
    ndh2 = ndh * ndh
    ndh4 = ndh2 * ndh2
    ndh8 = ndh4 * ndh4
    ndh16 = ndh8 * ndh8
    if metal:
        k = 0.04 + 0.25 * lam
        spec = 0.3 * ndh4 * ndh2
    else:
        k = 0.30 + 0.78 * lam + 0.10 * max(ndv, 0.0)
        spec = 0.05 * ndh8 * ndh4
    up = min(max((2.0 * ndv * nz - vz) * 4.0 + 0.5, 0.0), 1.0)
    ink = -(1 << 24)
    for ch, w in enumerate((1, 256, 65536)):
        b = base[ch]
        if metal:
            c = b * k + spec * (0.45 + 0.55 * b) + 0.7 * ndh16 * ndh16
            c += (ground[ch] + (sky[ch] - ground[ch]) * up) * (0.07 + 0.63 * b)
        else:
            c = b * k + spec
        ink += w * math.floor(min(max(c * 255.0 + 0.5, 0.0), 255.0))
    return ink
