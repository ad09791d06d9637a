"""`imgdiff`: Img-Diff-like image-difference pairs on the procedural world (issue 6).

Importing this package registers the program (see ``program.py`` for the recipe).
"""

from synthgen.generators.imgdiff.program import ImgDiff, ImgDiffConfig
from synthgen.generators.imgdiff.schema import ImgDiffRecord

__all__ = ["ImgDiff", "ImgDiffConfig", "ImgDiffRecord"]
