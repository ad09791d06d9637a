"""Built-in generator programs. Importing this package registers them all.

Third-party programs register through the ``synthgen.programs`` entry-point group instead.
"""

from synthgen.generators import (  # noqa: F401
    audiocaps,
    edit,
    imgdiff,
    multihop,
    noop,
    squares,
    svg,
    svg_multi,
)
