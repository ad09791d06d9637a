"""Built-in verification filters. Importing this package registers them all."""

from synthgen.filters import (  # noqa: F401
    audibility,
    clap_relative,
    clip_pair_band,
    clip_score,
    diff_area,
    edit_fidelity,
    edit_preservation,
    min_area,
    multihop_checks,
    separability,
    visibility,
    vqa_agreement,
)
