"""`multihop`: FM2DS-like multimodal multihop QA over fictional document pools (issue 8).

Importing the package registers the program (see :mod:`.program`)."""

from synthgen.generators.multihop import program  # noqa: F401
