"""Contact sheet of sprite scenes, each captioned with its scene type and three relations.

python -m synthgen.world.sprites.sheet [out.png] [n] [seed]
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from synthgen.world.contact_sheet import contact_sheet


def _pick(graph, k: int, rng) -> list[str]:
    names = {o.id: o.names[0] for o in graph.objects}
    rels = [r for r in graph.relationships if r.kind != "geometric"] or graph.relationships
    idx = rng.permutation(len(rels))[:k]
    return [
        f"{names[rels[i].subject_id]} {rels[i].predicate} {names[rels[i].object_id]}"
        for i in sorted(idx)
    ]


def render_sheet(n: int = 48, cols: int = 6, seed: int = 0, config=None) -> Image.Image:
    from synthgen.world.sprites import SpritesConfig, SpriteWorld

    world = SpriteWorld()
    config = config or SpritesConfig()
    font = ImageFont.load_default()
    cells = []
    for i in range(n):
        rng = np.random.default_rng(seed + i)
        scene = world.sample(rng, config)
        r = world.render(scene, config)
        g = world.graph(scene, r, config)
        lines = [f"{scene.scene_type} ({len(g.objects)} obj, {len(g.relationships)} rel)"]
        lines += _pick(g, 3, np.random.default_rng(seed + i))
        cell = Image.new("RGB", (r.image.width, r.image.height + 14 * len(lines) + 4), "white")
        cell.paste(r.image, (0, 0))
        d = ImageDraw.Draw(cell)
        for j, line in enumerate(lines):
            d.text((3, r.image.height + 2 + 14 * j), line, fill=(0, 0, 0), font=font)
        cells.append(cell)
    return contact_sheet(cells, cols)


if __name__ == "__main__":
    import sys

    out = sys.argv[1] if len(sys.argv) > 1 else "docs/sprite_world_contact_sheet.png"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 48
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    render_sheet(n, seed=seed).save(out)
    print(f"wrote {out}")
