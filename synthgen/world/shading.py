"""Flat shading of facets: Lambert + ambient for rubber, dark reflective + specular for metal.

`shade_facets` shades every facet of a batch of scenes (mesh faces, sphere bands; each
facet with its own scene's light and environment) in one fixed, small set of elementwise
numpy calls and returns Pillow inks; it evaluates exactly the arithmetic of
`shade_scalar`, so both give the same ink (`shade` is the older one-scene form). Metal is
made to *look* different from rubber rather than to be physically exact: lower diffuse, the
environment (backdrop colour where the mirror direction points up, ground colour where it
points down) reflected and tinted by the base colour, and a sharp white highlight.
"""

from __future__ import annotations

import math

import numpy as np

RUBBER_K = (0.55, 0.55, 0.10)
"""Rubber's diffuse factor: ambient + this * (n . l) + this * (n . v). Issue #15 finding 5:
the colour words must hold on the pixels, so a face turned from the light keeps over half
its colour (was 0.30 + 0.78 * (n . l): gray and green read black, yellow read brown);
``tests/world/test_colour_names.py`` measures it."""
METAL_K = (0.38, 0.45)
"""Metal's diffuse factor: ambient + this * (n . l) (the environment and highlights add).
Was 0.04 + 0.25 * (n . l): a dark mirror, so gray, green, red and yellow metal read black
or brown in half the images. Metal now differs from rubber by its highlight, glint and
reflected environment and by a somewhat lower diffuse (0.45 ambient made a rubber/metal
swap too faint for imgdiff's ``diff_area`` check in 1 of 12 more pairs)."""

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
    ra, rd, rv = RUBBER_K
    ma, md = METAL_K
    k = np.where(metal, ma + md * lam, ra + rd * lam + rv * np.maximum(ndv, 0.0))
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


Vec3 = tuple[np.ndarray, np.ndarray, np.ndarray]


def shade_facets(
    base: Vec3,
    normal: Vec3,
    view: Vec3,
    light: Vec3,
    metal: np.ndarray,
    sky: Vec3,
    ground: Vec3,
) -> np.ndarray:
    """(N,) int64 inks of N facets, each triple a tuple of three (N,) columns.

    base: colours in 0..1; normal, view: unit normals and unit vectors towards the camera;
    light: unit vectors towards the light; metal: (N,) bool; sky, ground: environment
    colours in 0..1. The arithmetic (order of operations included) is `shade_scalar`'s,
    so the inks are identical; elementwise only, so a facet's ink does not depend on the
    other facets."""
    nx, ny, nz = normal
    vx, vy, vz = view
    lx, ly, lz = light
    ndl = lx * nx + ly * ny + lz * nz
    ndv = nx * vx + ny * vy + nz * vz
    lam = np.maximum(ndl, 0.0)
    ndh = np.maximum((ndv + ndl) / np.sqrt(2.0 + 2.0 * (lx * vx + ly * vy + lz * vz)), 0.0)
    ndh2 = ndh * ndh
    ndh4 = ndh2 * ndh2
    ndh8 = ndh4 * ndh4
    ndh16 = ndh8 * ndh8
    ra, rd, rv = RUBBER_K
    ma, md = METAL_K
    k = np.where(metal, ma + md * lam, ra + rd * lam + rv * np.maximum(ndv, 0.0))
    spec = np.where(metal, 0.3 * ndh4 * ndh2, 0.05 * ndh8 * ndh4)
    up = np.minimum(np.maximum((2.0 * ndv * nz - vz) * 4.0 + 0.5, 0.0), 1.0)
    glint = 0.7 * ndh16 * ndh16
    # the three channels at once: rows of (3, N) arrays, the per-facet terms broadcast
    b = np.stack(base)
    g = np.stack(ground)
    rubber = b * k + spec
    env = (g + (np.stack(sky) - g) * up) * (0.07 + 0.63 * b)
    shiny = b * k + spec * (0.45 + 0.55 * b) + glint + env
    c = np.floor(np.minimum(np.maximum(np.where(metal, shiny, rubber) * 255.0 + 0.5, 0.0), 255.0))
    q = c.astype(np.int64)
    return q[0] + 256 * q[1] + 65536 * q[2] - (1 << 24)


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
        k = METAL_K[0] + METAL_K[1] * lam
        spec = 0.3 * ndh4 * ndh2
    else:
        k = RUBBER_K[0] + RUBBER_K[1] * lam + RUBBER_K[2] * max(ndv, 0.0)
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
