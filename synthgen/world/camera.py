"""Pinhole camera and directional light.

Conventions (shared by sampling, rendering, depth and the scene graph):

* World: right-handed, z up, the ground is the plane z = 0, lengths in world units.
* Image: pixel (i, j) is column i, row j; its centre has image coordinates (i, j) -- the
  convention Pillow's polygon filler uses -- so a polygon vertex at (u, v) lies on the pixel
  grid exactly where the ray through (u, v) meets the image plane.
* Projection: for a point p, with camera basis (right, up, forward),
  ``u = cx + f * dot(p - C, right) / dot(p - C, forward)`` and
  ``v = cy - f * dot(p - C, up) / dot(p - C, forward)``, where ``cx = (W - 1) / 2``,
  ``cy = (H - 1) / 2`` and ``f = (W / 2) / tan(hfov / 2)`` pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Camera:
    """A pinhole camera looking from `position` at `target` with no roll.

    Equality and hashing use the defining fields only; the basis and intrinsics are derived.
    """

    position: tuple[float, float, float]
    target: tuple[float, float, float]
    hfov_deg: float
    width: int
    height: int
    basis: np.ndarray = field(init=False, repr=False, compare=False)
    """(3, 3) rows right, up, forward (unit vectors)."""
    focal_px: float = field(init=False, repr=False, compare=False)
    cx: float = field(init=False, repr=False, compare=False)
    cy: float = field(init=False, repr=False, compare=False)
    origin: np.ndarray = field(init=False, repr=False, compare=False)
    params: tuple[float, ...] = field(init=False, repr=False, compare=False)
    """Flat (ox, oy, oz, r00, r01, r02, r10, r11, r12, r20, r21, r22, f, cx, cy) as Python
    floats, for fast column-wise projection (`project_xyz`)."""

    def __post_init__(self) -> None:
        pos = np.array(self.position, dtype=np.float64)
        fwd = np.array(self.target, dtype=np.float64) - pos
        fwd /= np.linalg.norm(fwd)
        right = np.cross(fwd, [0.0, 0.0, 1.0])
        right /= np.linalg.norm(right)
        up = np.cross(right, fwd)
        object.__setattr__(self, "basis", np.stack([right, up, fwd]))
        object.__setattr__(self, "origin", pos)
        focal = (self.width / 2) / math.tan(math.radians(self.hfov_deg) / 2)
        object.__setattr__(self, "focal_px", focal)
        object.__setattr__(self, "cx", (self.width - 1) / 2)
        object.__setattr__(self, "cy", (self.height - 1) / 2)
        object.__setattr__(
            self,
            "params",
            tuple(float(x) for x in (*pos, *self.basis.ravel(), focal, self.cx, self.cy)),
        )

    @property
    def right(self) -> np.ndarray:
        return self.basis[0]

    @property
    def up(self) -> np.ndarray:
        return self.basis[1]

    @property
    def forward(self) -> np.ndarray:
        return self.basis[2]

    @property
    def distance(self) -> float:
        return float(np.linalg.norm(np.subtract(self.target, self.position)))

    @property
    def elevation_deg(self) -> float:
        d = np.subtract(self.position, self.target)
        return math.degrees(math.atan2(d[2], math.hypot(d[0], d[1])))

    @property
    def azimuth_deg(self) -> float:
        d = np.subtract(self.position, self.target)
        return math.degrees(math.atan2(d[1], d[0])) % 360.0

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        """World points (..., 3) -> camera coordinates (..., 3): (right, up, forward)."""
        return (points - self.origin) @ self.basis.T

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """World points (..., 3) -> (image coords (..., 2), forward depth (...,))."""
        c = self.to_camera(points)
        z = c[..., 2]
        uv = np.empty((*c.shape[:-1], 2))
        uv[..., 0] = self.cx + self.focal_px * c[..., 0] / z
        uv[..., 1] = self.cy - self.focal_px * c[..., 1] / z
        return uv, z

    def project_xyz(
        self, x: np.ndarray, y: np.ndarray, z: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Column-wise `project`: world x, y, z arrays -> (u, v, forward depth)."""
        ox, oy, oz, a0, a1, a2, b0, b1, b2, c0, c1, c2, f, cx, cy = self.params
        dx = x - ox
        dy = y - oy
        dz = z - oz
        zf = c0 * dx + c1 * dy + c2 * dz
        iz = f / zf
        u = cx + (a0 * dx + a1 * dy + a2 * dz) * iz
        v = cy - (b0 * dx + b1 * dy + b2 * dz) * iz
        return u, v, zf

    def ray_directions(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Unit world directions (..., 3) of the rays through image points (u, v)."""
        a = (np.asarray(u, dtype=np.float64) - self.cx) / self.focal_px
        b = -(np.asarray(v, dtype=np.float64) - self.cy) / self.focal_px
        d = a[..., None] * self.basis[0] + b[..., None] * self.basis[1] + self.basis[2]
        return d / np.linalg.norm(d, axis=-1, keepdims=True)


@dataclass(frozen=True)
class Light:
    """A directional light. `direction` points from the scene towards the light (unit)."""

    azimuth_deg: float
    elevation_deg: float
    direction: tuple[float, float, float] = field(init=False)

    def __post_init__(self) -> None:
        az, el = math.radians(self.azimuth_deg), math.radians(self.elevation_deg)
        d = (math.cos(el) * math.cos(az), math.cos(el) * math.sin(az), math.sin(el))
        object.__setattr__(self, "direction", d)
