"""The closed vocabulary of the procedural world: shapes, colours, materials, sizes.

Everything a scene graph can say about an object's attributes comes from these tables, so
generators can enumerate answer options and distractors without looking at any image.
The colour values are CLEVR's (two tuned, see :data:`COLORS`), because people and models
already know them by name.
"""

from __future__ import annotations

SHAPES: tuple[str, ...] = ("cube", "sphere", "cylinder", "cone", "pyramid", "torus")
"""Shape names, in a fixed order (the order is part of the sampling contract)."""

COLORS: dict[str, tuple[int, int, int]] = {
    "gray": (100, 100, 100),
    "red": (173, 35, 35),
    "blue": (42, 75, 215),
    "green": (29, 105, 20),
    "brown": (100, 56, 24),
    "purple": (129, 38, 192),
    "cyan": (41, 208, 208),
    "yellow": (255, 238, 51),
}
"""Colour name -> sRGB base colour: CLEVR's palette, but for gray (CLEVR 87, 87, 87) and
brown (CLEVR 129, 74, 25), tuned with the shading (``synthgen.world.shading``) so that the
name holds on the rendered pixels (issue #15 finding 5): under the brighter shading CLEVR's
brown read orange on metal, and its dark gray read black on faces away from the light."""

MATERIALS: tuple[str, ...] = ("rubber", "metal")
"""Matte rubber (Lambert) and shiny metal (dark, reflective, specular highlights)."""

SIZES: dict[str, float] = {"small": 0.35, "medium": 0.5, "large": 0.7}
"""Size class -> scale in world units (a unit-sized shape is about 2 units across)."""

SIZE_RANK: dict[str, int] = {name: rank for rank, name in enumerate(SIZES)}
"""Size class -> rank used by the comparative relations (larger rank = bigger)."""
