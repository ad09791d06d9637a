"""Scene-graph question answering: question kinds over a source-neutral graph view."""

from synthgen.generators.qa.base import QA, QuestionKind, question_kinds
from synthgen.generators.qa.graph import QAGraph, QObject
from synthgen.generators.qa.suite import QAConfig, QASuite, conversations

__all__ = [
    "QA",
    "QAConfig",
    "QAGraph",
    "QASuite",
    "QObject",
    "QuestionKind",
    "conversations",
    "question_kinds",
]
