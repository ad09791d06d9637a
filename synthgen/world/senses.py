"""What a person reads as "on" / "in" a thing, in the worlds' predicate wordings.

A world words a placement the way it was made ("a woman sitting on the couch", "a car
parked on the street", "a clock mounted on the wall"); asked "What is on the couch?" or
told "the clock on the wall", a person takes all of these for "on". Shared by the sprite
world's referring expressions and the QA kinds that ask what is on / in a thing.
"""

from __future__ import annotations

ON_SENSE = frozenset(
    {"on", "on back of", "standing on", "walking on", "parked on", "sitting on", "lying on"}
    | {"laying on", "growing on", "mounted on"}
)
"""Predicates a person reads as "on"."""
IN_SENSE = frozenset({"in", "walking in", "flying in"})
"""Predicates a person reads as "in"."""
