"""A grid of images, for looking at many renderings at once (docs, debugging)."""

from __future__ import annotations

from collections.abc import Sequence

from PIL import Image


def contact_sheet(
    images: Sequence[Image.Image],
    cols: int,
    pad: int = 2,
    background: tuple[int, int, int] = (255, 255, 255),
) -> Image.Image:
    """Tile `images` row by row, `cols` per row, each cell the size of the largest image."""
    if cols < 1:
        raise ValueError("cols must be >= 1")
    if not images:
        return Image.new("RGB", (1, 1), background)
    cw = max(im.width for im in images)
    ch = max(im.height for im in images)
    rows = (len(images) + cols - 1) // cols
    size = (cols * cw + (cols + 1) * pad, rows * ch + (rows + 1) * pad)
    sheet = Image.new("RGB", size, background)
    for i, im in enumerate(images):
        r, c = divmod(i, cols)
        sheet.paste(im.convert("RGB"), (pad + c * (cw + pad), pad + r * (ch + pad)))
    return sheet


def render_contact_sheet(n: int = 36, cols: int = 6, seed: int = 0) -> Image.Image:
    """Render n scenes with seeds seed..seed+n-1 (default config) into a contact sheet."""
    import numpy as np

    from synthgen.world.scene import WorldConfig, sample_rendered_scene

    config = WorldConfig()
    images = [
        sample_rendered_scene(np.random.default_rng(seed + i), config)[1].image for i in range(n)
    ]
    return contact_sheet(images, cols)


if __name__ == "__main__":  # python -m synthgen.world.contact_sheet [out.png]
    import sys

    out = sys.argv[1] if len(sys.argv) > 1 else "docs/world_contact_sheet.png"
    render_contact_sheet().save(out)
    print(f"wrote {out}")
