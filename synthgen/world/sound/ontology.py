"""The AudioSet ontology's class table (``data/audioset_classes.csv``, 527 classes).

Every sound class names its AudioSet class (:attr:`Synth.audioset
<synthgen.world.sound.synth.Synth.audioset>`, the ontology's display name, spelled exactly);
the graph stores its id (``/m/...``), so records line up with AudioSet labels. The table is
Google's AudioSet ``class_labels_indices.csv`` (CC BY 4.0, see ``data/NOTICE.md``).
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources


@cache
def audioset_table() -> dict[str, str]:
    """AudioSet display name -> id (``mid``)."""
    text = (
        resources.files("synthgen.world.sound")
        .joinpath("data", "audioset_classes.csv")
        .read_text(encoding="utf-8")
    )
    return {row["display_name"]: row["mid"] for row in csv.DictReader(io.StringIO(text))}


def audioset_id(name: str) -> str:
    """The id of AudioSet class ``name`` ("" for an empty name); KeyError if unknown."""
    if not name:
        return ""
    try:
        return audioset_table()[name]
    except KeyError:
        raise KeyError(f"{name!r} is not an AudioSet class name") from None
