"""Edit masks from the renders: which pixels an edit may change, exactly.

The renderer draws, in this order, the cached backdrop, every object's ground shadow (an
alpha-blended polygon), then the objects back to front. So when objects S change (move,
recolor, reshape, appear, vanish) and nothing else does, a pixel can change only if

* an object of S covers it before or after the edit (its silhouette in the exact id map), or
* it shows the ground (id 0) before or after and lies in a shadow polygon of an object of
  S before or after (a shadow changes exactly where it is drawn; objects painted over the
  ground hide it).

Any other pixel is drawn by the same polygons with the same inks in the same order, hence
identical. The mask is that union, computed from the two renders' id maps and the shadow
polygons the renderer itself drew (rasterised with the same polygon filler, no
antialiasing). Attribute-only edits (color, material) leave shadows alone and use the
silhouettes only. Preservation is then checked, not assumed: zero pixels may differ
outside the mask (``filters/edit_preservation.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
from PIL import Image, ImageChops

from synthgen.records import Verdict
from synthgen.world import Rendering, Scene
from synthgen.world.fill import polygon_filler
from synthgen.world.geometry import SceneGeometry, build_geometries


def geometry_of(scene: Scene, rendering: Rendering, shadows: bool) -> SceneGeometry:
    """The draw list the renderer used for ``rendering`` (rebuilt if the renderer kept none).

    The Pillow renderer keeps it as ``rendering.geometry``; reusing it saves recomputing the
    scene's geometry (the bulk of a render).
    """
    geo = rendering.geometry
    if geo is not None and geo.scene is scene:
        return geo
    return build_geometries([scene], shadows=shadows)[0]


def shadow_mask(size: tuple[int, int], *parts: tuple[SceneGeometry, Iterable[int]]) -> np.ndarray:
    """(H, W) bool: pixels inside the ground shadow polygons of the given objects (0-based)
    of each geometry (e.g. the edited objects before and after: one canvas for both)."""
    canvas = Image.new("L", size, 0)
    fill = polygon_filler(canvas)
    for geo, objects in parts:
        if geo.shadows:
            for k in objects:
                fill(geo.shadows[k], 255, 1)
    return np.asarray(canvas) > 0


def silhouettes(ids: np.ndarray, object_ids: Iterable[int]) -> np.ndarray:
    """(H, W) bool: pixels showing any of ``object_ids`` (1-based) in an id map."""
    wanted = list(object_ids)
    if len(wanted) > 4:  # a lookup table costs about as much as 20 comparisons
        table = np.zeros(256, dtype=bool)
        table[wanted] = True
        return table[ids]
    out = np.zeros(ids.shape, dtype=bool)
    for k in wanted:
        out |= ids == k
    return out


def object_edit_mask(
    before: tuple[Scene, Rendering],
    after: tuple[Scene, Rendering],
    changed_before: list[int],
    changed_after: list[int],
    shadows_change: bool,
    shadows: bool,
) -> np.ndarray:
    """The exact may-change mask of an edit of objects (0-based indices in each scene)."""
    (s0, r0), (s1, r1) = before, after
    mask = silhouettes(r0.ids, [k + 1 for k in changed_before])
    mask |= silhouettes(r1.ids, [k + 1 for k in changed_after])
    if shadows and shadows_change:
        shade = shadow_mask(
            r0.image.size,
            (geometry_of(s0, r0, shadows), changed_before),
            (geometry_of(s1, r1, shadows), changed_after),
        )
        mask |= shade & ((r0.ids == 0) | (r1.ids == 0))
    return mask


def light_edit_mask(
    before: tuple[Scene, Rendering], after: tuple[Scene, Rendering], shadows: bool
) -> np.ndarray:
    """A new light direction reshades every object and moves every shadow; the backdrop
    (cached per stage, independent of the light) and the ground outside the shadows stay."""
    (s0, r0), (s1, r1) = before, after
    mask = (r0.ids > 0) | (r1.ids > 0)
    if shadows:
        everyone = range(len(s0.objects))
        mask |= shadow_mask(
            r0.image.size,
            (geometry_of(s0, r0, shadows), everyone),
            (geometry_of(s1, r1, shadows), everyone),
        )
    return mask


def background_edit_mask(scene: Scene, rendering: Rendering) -> np.ndarray:
    """A new floor/wall colour repaints every ground and wall pixel (shadows included) and
    every metal object, whose shading reflects the environment's colours (see
    ``synthgen/world/shading.py``); rubber objects do not reflect it and stay."""
    metal = [k + 1 for k, o in enumerate(scene.objects) if o.material == "metal"]
    return (rendering.ids == 0) | silhouettes(rendering.ids, metal)


def image_diff(a: Image.Image, b: Image.Image) -> np.ndarray:
    """(H, W) uint8: per pixel, the largest absolute channel difference of two images of the
    same mode and size -- ``abs_diff(np.asarray(a), np.asarray(b))``, with the per-channel
    difference done by Pillow in C on the images themselves."""
    d = np.asarray(ImageChops.difference(a, b))
    if d.ndim == 2:
        return d
    out = np.maximum(d[..., 0], d[..., 1])
    for c in range(2, d.shape[2]):
        np.maximum(out, d[..., c], out=out)
    return out


def changed_pixels(a: Image.Image, b: Image.Image) -> np.ndarray:
    """(H, W) bool: pixels where two RGB images of the same size differ in any channel.

    Pillow keeps an RGB pixel in 4 bytes; the per-channel difference is taken in C and read
    back as one little-endian uint32 per pixel, whose padding byte is masked off -- one
    comparison per pixel instead of three strided ones."""
    if a.mode != "RGB" or b.mode != "RGB":
        return image_diff(a, b) != 0
    w, h = a.size
    d = np.frombuffer(ImageChops.difference(a, b).tobytes("raw", "RGBX"), dtype="<u4")
    return (d & np.uint32(0x00FFFFFF)).reshape(h, w) != 0


def diff_stats(diff: np.ndarray, mask: np.ndarray) -> dict[str, float | int]:
    """Statistics of a per-pixel absolute difference (``abs_diff``) outside/inside ``mask``."""
    return _stats(diff != 0, mask, lambda: diff)


def compare(a: Image.Image, b: Image.Image, mask: np.ndarray) -> dict[str, float | int]:
    """``diff_stats(image_diff(a, b), mask)``, reading difference values only when some pixel
    outside the mask changed (an exact edit has none; then mean and max outside are 0)."""
    return _stats(changed_pixels(a, b), mask, lambda: image_diff(a, b))


def _stats(
    changed: np.ndarray, mask: np.ndarray, diff: Callable[[], np.ndarray]
) -> dict[str, float | int]:
    mask_pixels = int(np.count_nonzero(mask))
    inside = int(np.count_nonzero(changed & mask)) if mask_pixels else 0
    outside = int(np.count_nonzero(changed)) - inside
    mean_out, max_out = 0.0, 0
    if outside:
        rest = np.where(mask, 0, diff())
        mean_out = round(float(rest.sum(dtype=np.int64)) / (changed.size - mask_pixels), 6)
        max_out = int(rest.max())
    return {
        "mask_pixels": mask_pixels,
        "changed_inside": inside,
        "changed_outside": outside,
        "mean_abs_diff_outside": mean_out,
        "max_abs_diff_outside": max_out,
    }


def visible_verdict(stats: dict[str, float | int]) -> Verdict:
    """The ``edit_visible`` oracle of :func:`compare`'s stats: the edit changed at least
    one pixel inside its mask (an edit nobody can see is no edit)."""
    return Verdict(
        filter="edit_visible",
        kind="oracle",
        passed=stats["changed_inside"] > 0,
        score=float(stats["changed_inside"]),
        threshold=1.0,
        score_type="changed_pixels_in_mask",
    )


def mask_image(mask: np.ndarray) -> Image.Image:
    """An L image, 255 where the edit may change pixels, 0 elsewhere."""
    return Image.fromarray(mask.astype(np.uint8) * 255, "L")
