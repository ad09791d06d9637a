"""Built-in verification filters. Importing this package registers them all."""

from synthgen.filters import (  # noqa: F401
    clap_relative,
    clip_pair_band,
    clip_score,
    min_area,
    visibility,
    vqa_agreement,
)
