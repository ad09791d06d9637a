"""Question-only ("blind") baselines that audit answer balance, in plain numpy.

A question-only model sees the question text and nothing of the image. If it beats the
majority answer of each question type (CLEVR's "Q-type mode" baseline, see
:func:`~synthgen.generators.qa.balance.question_type`) by more than a few points, answers
are predictable from wording and a trained VLM would learn the shortcut instead of looking.

Features: words and word bigrams of the question, plus the words of each listed option
tagged with the option's position (``o1:large``) -- so a bias such as "the large object is
usually the answer" is learnable, while the label of an options question is the answer's
position (:func:`~synthgen.generators.qa.balance.label`). Two classifiers: multinomial naive
Bayes and L2-regularised softmax regression trained by full-batch Adam.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from synthgen.generators.qa.balance import label, question_type
from synthgen.generators.qa.base import QA

_WORD = re.compile(r"[a-z]+|\d+")
RARE = "<rare>"


def features(qa: QA) -> list[str]:
    """Question words, bigrams and position-tagged option words."""
    words = _WORD.findall(qa.question.lower())
    out = words + [f"{a}_{b}" for a, b in pairwise(words)]
    for i, option in enumerate(qa.program.get("options") or ()):
        out += [f"o{i}:{w}" for w in _WORD.findall(str(option).lower())]
    return out


@dataclass
class FamilyResult:
    family: str
    train: int
    test: int
    majority: float
    """Accuracy of the family's single most frequent answer."""
    type_majority: float
    """Accuracy of the most frequent answer per question type (the baseline)."""
    naive_bayes: float
    logistic: float

    @property
    def blind(self) -> float:
        return max(self.naive_bayes, self.logistic)

    @property
    def gap(self) -> float:
        """How far the better blind model beats the per-type majority (accuracy points)."""
        return self.blind - self.type_majority


class _Encoded:
    def __init__(self, rows: list[list[str]], vocab: dict[str, int]) -> None:
        self.x = np.zeros((len(rows), len(vocab)), dtype=np.float32)
        for i, row in enumerate(rows):
            for f in row:
                j = vocab.get(f)
                if j is not None:
                    self.x[i, j] = 1.0


def _majority_by(keys: Sequence[str], labels: Sequence[str]) -> dict[str, str]:
    by: dict[str, Counter[str]] = defaultdict(Counter)
    for k, y in zip(keys, labels, strict=True):
        by[k][y] += 1
    return {k: c.most_common(1)[0][0] for k, c in by.items()}


def _naive_bayes(x: np.ndarray, y: np.ndarray, classes: int, xt: np.ndarray) -> np.ndarray:
    onehot = np.zeros((x.shape[0], classes), dtype=np.float32)
    onehot[np.arange(x.shape[0]), y] = 1.0
    counts = (onehot.T @ x).astype(np.float64)
    log_like = np.log(counts + 0.5) - np.log((counts + 0.5).sum(axis=1, keepdims=True))
    prior = np.log(np.bincount(y, minlength=classes) + 1.0)
    return (xt @ log_like.T + prior).argmax(axis=1)


def _logistic(
    x: np.ndarray, y: np.ndarray, classes: int, xt: np.ndarray, epochs: int, l2: float
) -> np.ndarray:
    n, d = x.shape
    w = np.zeros((d, classes), dtype=np.float32)
    b = np.zeros(classes, dtype=np.float32)
    mw, vw = np.zeros_like(w), np.zeros_like(w)
    mb, vb = np.zeros_like(b), np.zeros_like(b)
    onehot = np.zeros((n, classes), dtype=np.float32)
    onehot[np.arange(n), y] = 1.0
    lr, b1, b2 = 0.1, 0.9, 0.999
    for step in range(1, epochs + 1):
        z = x @ w + b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - onehot) / n
        gw = x.T @ g + l2 * w
        gb = g.sum(axis=0)
        mw = b1 * mw + (1 - b1) * gw
        vw = b2 * vw + (1 - b2) * gw * gw
        mb = b1 * mb + (1 - b1) * gb
        vb = b2 * vb + (1 - b2) * gb * gb
        c1, c2 = 1 - b1**step, 1 - b2**step
        w -= lr * (mw / c1) / (np.sqrt(vw / c2) + 1e-8)
        b -= lr * (mb / c1) / (np.sqrt(vb / c2) + 1e-8)
    return (xt @ w + b).argmax(axis=1)


def _predictions(
    train: Sequence[QA], test: Sequence[QA], epochs: int, l2: float, max_features: int
) -> tuple[list[str], list[str]]:
    """Naive Bayes and logistic predictions for ``test`` after training on ``train``."""
    train_rows = [features(q) for q in train]
    freq = Counter(f for row in train_rows for f in set(row))
    kept = [f for f, c in freq.most_common(max_features) if c >= 2]
    vocab = {f: i for i, f in enumerate(kept)}
    label_freq = Counter(label(q) for q in train)
    names = [*sorted(y for y, c in label_freq.items() if c >= 3), RARE]
    index = {y: i for i, y in enumerate(names)}
    if len(names) == 1:  # no answer repeats (boxes, dumps): nothing to learn or guess
        return [RARE] * len(test), [RARE] * len(test)
    y_train = np.array([index.get(label(q), index[RARE]) for q in train])
    x = _Encoded(train_rows, vocab).x
    xt = _Encoded([features(q) for q in test], vocab).x
    nb = _naive_bayes(x, y_train, len(names), xt)
    lr = _logistic(x, y_train, len(names), xt, epochs, l2)
    return [names[int(i)] for i in nb], [names[int(i)] for i in lr]


def evaluate_family(
    family: str,
    qas: Sequence[QA],
    groups: Sequence[int] | None = None,
    test_share: float = 0.3,
    epochs: int = 150,
    l2: float = 1e-4,
    max_features: int = 2000,
    seed: int = 0,
) -> FamilyResult:
    """Train the blind models on part of ``qas`` (one family) and score the rest.

    A question-only model tells the kind from the wording at once, so each kind gets its
    own classifiers (the strongest blind model within reach: a single family-wide one
    would dilute rare cue words); hits are pooled over the family. ``groups`` (e.g. the
    image index of each QA) keeps all QA of a group on one side of the split: questions
    about the same image repeat regions and descriptions, and a model that memorised them
    would measure leakage between splits, not a bias of the generator."""
    rng = np.random.default_rng(seed)
    group_of = list(groups) if groups is not None else list(range(len(qas)))
    unique = sorted(set(group_of))
    held = {unique[int(i)] for i in rng.permutation(len(unique))[: int(len(unique) * test_share)]}
    test = [q for q, g in zip(qas, group_of, strict=True) if g in held]
    train = [q for q, g in zip(qas, group_of, strict=True) if g not in held]
    truth = [label(q) for q in test]
    nb_hits = lr_hits = 0
    for kind in sorted({q.kind for q in test}):
        k_train = [q for q in train if q.kind == kind]
        k_test = [q for q in test if q.kind == kind]
        if not k_train:
            continue
        nb, lr = _predictions(k_train, k_test, epochs, l2, max_features)
        for q, a, b in zip(k_test, nb, lr, strict=True):
            y = label(q)
            nb_hits += a == y and a != RARE
            lr_hits += b == y and b != RARE
    n = max(1, len(test))
    overall = Counter(label(q) for q in train).most_common(1)[0][0]
    per_type = _majority_by([question_type(q) for q in train], [label(q) for q in train])
    majority = sum(t == overall for t in truth) / n
    type_majority = (
        sum(per_type.get(question_type(q), overall) == t for q, t in zip(test, truth, strict=True))
        / n
    )
    return FamilyResult(
        family, len(train), len(test), majority, type_majority, nb_hits / n, lr_hits / n
    )


def evaluate(
    qas: Sequence[QA], groups: Sequence[int] | None = None, **kwargs: object
) -> list[FamilyResult]:
    """:func:`evaluate_family` for every family in ``qas`` (``groups`` as there)."""
    group_of = list(groups) if groups is not None else list(range(len(qas)))
    by: dict[str, list[tuple[QA, int]]] = defaultdict(list)
    for q, g in zip(qas, group_of, strict=True):
        by[q.family].append((q, g))
    return [
        evaluate_family(f, [q for q, _ in by[f]], [g for _, g in by[f]], **kwargs)  # type: ignore[arg-type]
        for f in sorted(by)
    ]
