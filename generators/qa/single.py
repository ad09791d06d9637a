"""Single-image question kinds: importing this module registers them all.

Families (ProVision's, then ours): object (``objects``), attribute (``attributes``),
relation (``relations``), segmentation and depth points (``points``), object depth and 3D
distance (``depth``), scene-graph dumps (``dumps``), compositional, negation, grounding and
comparison (``compositional``); real things of open worlds (``world``).
"""

from synthgen.generators.qa import (  # noqa: F401
    attributes,
    compositional,
    depth,
    dumps,
    objects,
    points,
    relations,
    world,
)
