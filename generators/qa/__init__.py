"""Scene-graph question answering: question kinds over a source-neutral graph view.

``QASuite(config).ask(graph, rng, counters)`` asks single-image questions of a
:class:`QAGraph` (built by :mod:`.sources` from the procedural world or a Visual Genome
entry); ``ask_many(graphs, ...)`` asks multi-image ones of 2-4 graphs. Kinds live in
:mod:`.objects`, :mod:`.attributes`, :mod:`.relations`, :mod:`.points`, :mod:`.depth`,
:mod:`.dumps`, :mod:`.compositional` (single image) and :mod:`.multi`; their programs'
meaning is specified in :mod:`.programs`; answer balancing in :mod:`.balance`; the
question-only audit in :mod:`.blind`.
"""

from synthgen.generators.qa.base import QA, MultiImageKind, QuestionKind, question_kinds
from synthgen.generators.qa.graph import QAGraph, QObject
from synthgen.generators.qa.suite import QAConfig, QASuite, conversations

__all__ = [
    "QA",
    "MultiImageKind",
    "QAConfig",
    "QAGraph",
    "QASuite",
    "QObject",
    "QuestionKind",
    "conversations",
    "question_kinds",
]
