"""Built-in verification filters, imported one at a time: ``MODULES`` maps each registered
filter name to the module that registers it, so ``filters.get("audibility")`` imports that
module only (an audiocaps replay then skips the image world and the model code the image
filters import), and ``filters.names()`` imports them all (see :mod:`synthgen.registry`).

Third-party filters register through the ``synthgen.filters`` entry-point group instead.
"""

MODULES = {
    "audibility": "synthgen.filters.audibility",
    "clap_relative": "synthgen.filters.clap_relative",
    "clip_pair_band": "synthgen.filters.clip_pair_band",
    "clip_score": "synthgen.filters.clip_score",
    "diff_area": "synthgen.filters.diff_area",
    "edit_fidelity": "synthgen.filters.edit_fidelity",
    "edit_preservation": "synthgen.filters.edit_preservation",
    "min_area": "synthgen.filters.min_area",
    "multihop": "synthgen.filters.multihop_checks",
    "multimodal": "synthgen.filters.multihop_checks",
    "unique_answer": "synthgen.filters.multihop_checks",
    "no_answer_leak": "synthgen.filters.multihop_checks",
    "separability": "synthgen.filters.separability",
    "visibility": "synthgen.filters.visibility",
    "vqa_agreement": "synthgen.filters.vqa_agreement",
}
