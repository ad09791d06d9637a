"""Balance per question text on open worlds (#15 finding 2): a question whose words give its
answer away ("Is there a bed on the floor?" is "yes", "What is the lantern hanging from?" is
"ceiling") is flattened per text bucket or not asked.

The unit test runs the calibration on a stub kind; the sprite tests ask the fixed kinds of
sprite-world images with the svg recipe's balancing and check, on images the calibration
never saw, that a question-only model that memorises each question text's majority answer
(the strongest use of the exact words) does not beat the per-type majority by more than
the issue's 5 points plus sampling noise -- and that it does beat it when the per-text
balance is switched off, so the check can fail."""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from typing import ClassVar

import numpy as np
import pytest

from synthgen.generators.qa import QA, QAConfig, QASuite
from synthgen.generators.qa import balance as B
from synthgen.generators.qa.balance import label, question_type
from synthgen.generators.qa.base import QuestionKind
from synthgen.generators.qa.templates import default_templates
from tests.helpers import sprite_scenes

# --- unit: calibration rows per text ---------------------------------------------------


class _Stub(QuestionKind):
    """Yes/no questions over four texts: "leaky" is yes 9 times in 10, "fair" half the time,
    "sure" always yes, "rare" too rare to tell."""

    name = "stub_text"
    family = "stub"
    answer_type = "bool"
    balance = True
    yes: ClassVar[dict[str, float]] = {"leaky": 0.9, "fair": 0.5, "sure": 1.0, "rare": 0.5}
    weight: ClassVar[dict[str, float]] = {"leaky": 0.4, "fair": 0.3, "sure": 0.2999, "rare": 1e-4}

    def ask(self, g: object, rng: np.random.Generator, t: object) -> QA | None:
        texts = sorted(self.weight)
        text = texts[int(rng.choice(len(texts), p=[self.weight[x] for x in texts]))]
        answer = "yes" if rng.random() < self.yes[text] else "no"
        return self.make(
            default_templates(),
            rng,
            answer,
            {"op": "stub", "text": text},
            table="count",
            objs="things",
        )

    def balance_text(self, qa: QA) -> list[str]:
        return [qa.program["text"]]


class _Graph:
    def capabilities(self) -> frozenset[str]:
        return frozenset()


def test_text_rows_flatten_each_text_and_drop_one_sided_and_rare_ones() -> None:
    """After acceptance, "leaky" and "fair" are yes half the time; "sure" (never no) and
    "rare" (seen under MIN_TEXT times) are not asked. Without the text rows "leaky" stays
    well off half (the key alone flattens yes/no over all texts: ~68 % yes)."""
    kind = _Stub()
    table = B.calibrate(kind, [_Graph()] * 10, text=True)  # type: ignore[list-item]
    balancer = B.Balancer()
    balancer._text = True
    balancer.table = lambda k: table  # type: ignore[method-assign]
    plain = B.Balancer()
    plain.table = lambda k: {key: row for key, row in table.items() if not key.startswith(B.TEXT)}  # type: ignore[method-assign]
    rng = np.random.default_rng(5)
    kept: dict[str, Counter[str]] = defaultdict(Counter)
    unbalanced: dict[str, Counter[str]] = defaultdict(Counter)
    for _ in range(20_000):
        qa = kind.ask(None, rng, None)
        assert qa is not None
        if balancer.accept(kind, qa, rng):
            kept[qa.program["text"]][qa.answer] += 1
        if plain.accept(kind, qa, rng):
            unbalanced[qa.program["text"]][qa.answer] += 1
    for text in ("leaky", "fair"):
        share = kept[text]["yes"] / sum(kept[text].values())
        assert abs(share - 0.5) < 0.04, (text, share)
    assert sum(kept["sure"].values()) == 0 and sum(kept["rare"].values()) == 0
    assert unbalanced["leaky"]["yes"] / sum(unbalanced["leaky"].values()) > 0.6


# --- sprite world: the fixed kinds -----------------------------------------------------

FIXED = ("category_exists", "relation_object", "compositional_exists", "relation_which")
IMAGES = int(os.environ.get("SYNTHGEN_SLOW", "0") or 0) or 700
SLACK = 0.05
"""Sampling noise allowed above the issue's 5 points (a few hundred held-out questions)."""


def _text(qa: QA) -> str:
    """What the question says, less its template: the program's words."""
    return f"{question_type(qa)}|{B.program_words(qa)}"


def _words(qa: QA) -> str:
    """The program's words in any order (a question's options are shuffled); for a
    "which of these is <pred> <object>" question the predicate and the candidates' names
    (which of the two does it is what the names might tell)."""
    prog = qa.program
    if prog["op"] == "which_relation":
        return " ".join([prog["pred"], *sorted(r["name"] for r in prog["refs"])])
    return " ".join(sorted(B.program_words(qa).split("|")))


def _memorise_gap(qas: list[QA], groups: list[int]) -> tuple[float, int]:
    """Accuracy of "the training half's majority answer for this exact text, else for
    this type" minus that of "the type's majority", on the other half of the images."""
    train = [(q, g) for q, g in zip(qas, groups, strict=True) if g % 2 == 0]
    test = [q for q, g in zip(qas, groups, strict=True) if g % 2 == 1]
    by_text: dict[str, Counter[str]] = defaultdict(Counter)
    by_type: dict[str, Counter[str]] = defaultdict(Counter)
    for q, _ in train:
        by_text[_text(q)][label(q)] += 1
        by_type[question_type(q)][label(q)] += 1

    def top(c: Counter[str] | None) -> str | None:
        return c.most_common(1)[0][0] if c else None

    text_hits = type_hits = 0
    for q in test:
        typed = top(by_type.get(question_type(q)))
        seen = by_text.get(_text(q))
        guess = top(seen) if seen and sum(seen.values()) >= 3 else typed
        text_hits += guess == label(q)
        type_hits += typed == label(q)
    n = max(1, len(test))
    return (text_hits - type_hits) / n, len(test)


@pytest.fixture(scope="module")
def sprite_views() -> list:
    from synthgen.generators.qa.sources import world_view

    return [world_view(*scene) for scene in sprite_scenes(IMAGES)]


def _ask(views: list, kinds: tuple[str, ...], rounds: int = 4) -> tuple[list[QA], list[int]]:
    from synthgen.world.choice import default_config

    suite = QASuite(
        QAConfig(kinds=kinds, per_image=len(kinds), multiple_choice_ratio=0),
        calibration_world=default_config("sprites"),
    )
    rng = np.random.default_rng(77)
    qas, groups = [], []
    for _ in range(rounds):
        for i, v in enumerate(views):
            got = suite.ask(v, rng)
            qas += got
            groups += [i] * len(got)
    return qas, groups


def _gaps(
    views: list, kind: str, monkeypatch: pytest.MonkeyPatch, rounds: int = 4
) -> tuple[float, float, int]:
    on, n = _memorise_gap(*_ask(views, (kind,), rounds))
    with monkeypatch.context() as m:
        m.setattr(B, "text_levels", lambda k, qa: ())
        off, _ = _memorise_gap(*_ask(views, (kind,), rounds))
    return on, off, n


ROUNDS = {"relation_object": 12}
"""Rounds of asking the images (more draws of the same images: the text memorised and the
answer told apart from the draw). relation_object's leak without the per-text balance is
smaller since the sprite world's placement commits (db13f8e..d91a34b): +7.7 / +6.4 / +7.7
points over three draws of 4 rounds, against +4.0 / +4.8 / -2.8 with it (stop 24); 4 rounds
told them apart by 4 points in one draw of three. With colours only on art a person names
by one colour (stop 25, fewer colour words in the texts): +5.3 on vs +8.9 off at 12 rounds,
+5.4 vs +8.7 at 20, so the test asks for 3 points between them."""


@pytest.mark.parametrize("kind", ["category_exists", "relation_object"])
def test_words_do_not_give_the_answer_away(
    sprite_views: list, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memorising each exact question text's answer beats the per-type majority by at
    most 5 points (+ noise) on held-out sprite images, and by clearly more with the
    per-text balance switched off (measured at stop 22: category_exists +0.4 vs +7.5 off,
    relation_object +4.9 vs +11.3 off, 450-850 held-out questions)."""
    on, off, n = _gaps(sprite_views, kind, monkeypatch, ROUNDS.get(kind, 4))
    assert n >= 150, n
    assert on <= 0.05 + SLACK, (kind, on, n)
    assert off >= on + 0.03, (kind, on, off)


@pytest.mark.parametrize("kind", FIXED)
def test_each_asked_text_has_its_answers_equally_often(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asked many times over the calibration sample (the only images where the low-yield
    kinds -- compositional_exists, relation_which -- give enough questions per text), no
    question text seen 20 times in 8 images has one answer more often than a fair coin
    would over the images it was asked of, by 3.5 standard deviations (a graph answers a
    text the same each time it is asked; 0.5 + 1.75 / sqrt(images), at most 0.8: 0.61 for
    a text of 260 images, 0.8 for one of 34 or fewer), while without the per-text balance
    some text always has the same answer ("Is there a bed on the floor?" -> yes, "What is
    the lantern hanging from?" -> ceiling). (A flat 70 % until stop 24: after the sprite
    world's placement changes "Is there a bird on the beach?" came 24 no / 9 yes over
    25 images, 2.3 standard deviations; texts of 100+ images were held to no more.)"""
    from synthgen.world.choice import default_config

    graphs = B.calibration_graphs(default_config("sprites"), B.CUE_GRAPHS)

    def shares(seen: int = 20, in_images: int = 8) -> list[tuple[float, int]]:
        suite = QASuite(
            QAConfig(kinds=(kind,), per_image=1, multiple_choice_ratio=0),
            calibration_world=default_config("sprites"),
        )
        rng = np.random.default_rng(9)
        by: dict[str, Counter[str]] = defaultdict(Counter)
        images: dict[str, set[int]] = defaultdict(set)
        texts_of: dict[str, set[str]] = defaultdict(set)  # question type -> its texts
        for _ in range(8):
            for i, g in enumerate(graphs):
                for qa in suite.ask(g, rng):
                    answer = qa.answer
                    if qa.program["op"] == "which_relation":  # the answer's name
                        answer = qa.program["refs"][qa.program["options"].index(answer)]["name"]
                    by[_words(qa)][answer] += 1
                    images[_words(qa)].add(i)
                    texts_of[question_type(qa)].add(_words(qa))
        # a type asked in one text only: that text's share is the type's (a question-only
        # model knowing the words knows no more than the type's majority, which the blind
        # baseline measures); stop 29's world change left relation_object's "What is the
        # man sitting on?" the only "sitting on" text, couch in 10 of its 13 images
        sole = {next(iter(t)) for t in texts_of.values() if len(t) == 1}
        return [
            (c.most_common(1)[0][1] / sum(c.values()), len(images[text]))
            for text, c in by.items()
            if sum(c.values()) >= seen and len(images[text]) >= in_images and text not in sole
        ]

    balanced = shares()

    # (compositional_exists on sprites: hardly a text is both "yes" and "no" often
    # enough, so almost none is asked, and then none 20 times; relation_object's texts
    # lead with their type's anchor, up to ANCHOR_LEAD times the runner-up: 2/3 of a
    # text with two answers, plus 3 sd of that over its images, capped at 0.8 like the
    # others: the cap for every text under 112 images, so in practice a looser bound than
    # the flat 0.75 it replaced at stop 25, when a world change made a text of 11 images
    # 0.78 -- within noise of 2/3 at 11 images)
    # (3.5 sd, not 3: some 15-30 texts are judged per kind, and stop 26's atlas re-pack
    # moved category_exists's "fruit" to 0.65 of 108 images and "a musical instrument on
    # the floor" to 0.69 of 73, 3.1-3.2 sd, while the blind baseline's gap for the kind
    # read +0.6 at 8,593 QA)
    def limit(images: int) -> float:
        if kind == "relation_object":  # the anchor's 2/3, plus 3.5 sd over the images
            return min(0.8, 2 / 3 + 3.5 * (2 / 9) ** 0.5 / images**0.5)
        return min(0.8, 0.5 + 1.75 / images**0.5)

    over = [(share, images) for share, images in balanced if share > limit(images)]
    assert not over, (kind, over, sorted(balanced)[-5:])
    monkeypatch.setattr(B, "text_levels", lambda k, qa: ())
    # (without it, compositional_exists's most asked text comes 18-26 times, by the scenes)
    assert max((share for share, _ in shares(seen=12, in_images=6)), default=0.0) >= 0.9


UNBALANCED = ("topmost", "bottommost", "most_frequent", "least_frequent")


def test_unbalanced_kinds_are_not_asked_of_sprites_but_of_shapes(sprite_views: list) -> None:
    """topmost / bottommost and most / least frequent: no form balanced on sprites (a hat
    worn on a head is higher, fences come in runs, by the words), so none is asked there;
    the shapes world still asks them."""
    from tests.qa.conftest import make_samples

    qas, _ = _ask(sprite_views[:200], (*UNBALANCED, "leftmost"), rounds=1)
    kinds = Counter(q.kind for q in qas)
    assert kinds["leftmost"] > 20 and not any(kinds[k] for k in UNBALANCED), kinds
    suite = QASuite(QAConfig(kinds=UNBALANCED, per_image=4))
    rng = np.random.default_rng(4)
    shapes = Counter(q.kind for s in make_samples(60, seed=8) for q in suite.ask(s.view, rng))
    assert all(shapes[k] > 5 for k in UNBALANCED), shapes


def test_a_word_shown_in_few_graphs_is_not_weighted_however_often_asked() -> None:
    """Per-word raking: "lonely" is in 40 proposals, all of 2 calibration graphs (asked
    again and again), so its win rate says nothing and it is not offered (UNSEEN, weight
    0); "cup", in many graphs, is weighted. Without the graph indices both are weighted."""
    rng = np.random.default_rng(8)
    names = ["cup", "dog", "car", "tree"]
    proposals, graphs = [], []
    for i in range(4000):
        a, b = rng.choice(names, 2, replace=False)
        win = a if rng.random() < 0.5 else b
        proposals.append(
            ("2", f"#{i % 2}", tuple(("2", n, "win" if n == win else "lose") for n in (a, b)))
        )
        graphs.append(i % 200)
    for i in range(40):  # graph 0 shows it winning, graph 1 losing
        won = ("win", "lose") if i % 2 == 0 else ("lose", "win")
        proposals.append(("2", "#0", (("2", "lonely", won[0]), ("2", "cup", won[1]))))
        graphs.append(i % 2)
    targets = {"2": {"#0": 0.5, "#1": 0.5}}
    with_graphs = B._rake(proposals, targets, graphs)
    without = B._rake(proposals, targets)
    lonely, cup = B.cue_id("2", "lonely"), B.cue_id("2", "cup")
    assert lonely not in with_graphs and with_graphs[B.UNSEEN]["*"] == 0.0
    assert with_graphs[cup]["win"] > 0 and with_graphs[cup]["lose"] > 0
    assert lonely in without and max(without[lonely].values()) > 0


# --- unit: anchored texts (relation_object) ------------------------------------------


class _NameStub(QuestionKind):
    """ "What is X standing on?" over three texts: the man on a floor or grass, the dog on
    a floor or tile (mostly tile), the deer (asked half as often) on grass or a beach,
    never a floor."""

    name = "stub_anchor"
    family = "stub"
    answer_type = "name"
    balance = True
    balance_text_anchor = True
    answers: ClassVar[dict[str, dict[str, float]]] = {
        "man": {"floor": 0.5, "grass": 0.5},
        "dog": {"floor": 0.4, "tile": 0.6},
        "deer": {"grass": 0.5, "beach": 0.5},
    }

    def ask(self, g: object, rng: np.random.Generator, t: object) -> QA | None:
        texts = sorted(self.answers)  # deer, dog, man
        text = texts[int(rng.choice(3, p=[0.2, 0.4, 0.4]))]
        names = sorted(self.answers[text])
        answer = names[int(rng.choice(len(names), p=[self.answers[text][a] for a in names]))]
        return self.make(
            default_templates(), rng, answer, {"op": "stub", "text": text}, table="count", objs="x"
        )

    def balance_key(self, qa: QA) -> str:
        return "standing on"

    def balance_text(self, qa: QA) -> list[str]:
        return [qa.program["text"]]


def _accepted(kind: QuestionKind, table: B.Table, n: int = 30_000) -> dict[str, Counter[str]]:
    balancer = B.Balancer()
    balancer._text = True
    balancer.table = lambda k: table  # type: ignore[method-assign]
    rng = np.random.default_rng(6)
    kept: dict[str, Counter[str]] = defaultdict(Counter)
    for _ in range(n):
        qa = kind.ask(None, rng, None)
        assert qa is not None
        if balancer.accept(kind, qa, rng):
            kept[qa.program["text"]][qa.answer] += 1
    return kept


def _text_gain(kept: dict[str, Counter[str]]) -> float:
    """How much knowing the text beats the type's majority answer (accuracy points)."""
    total: Counter[str] = sum(kept.values(), Counter())
    n = sum(total.values())
    by_text = sum(c.most_common(1)[0][1] for c in kept.values() if c)
    return (by_text - total.most_common(1)[0][1]) / n


def test_anchored_texts_lead_with_the_same_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """The anchor (floor: it keeps the most questions) leads every asked text, by at most
    ANCHOR_LEAD times the runner-up; the deer's text (never a floor) is not asked; so the
    text tells nothing the type does not. Flattened to equal shares instead (no anchor),
    "the deer" is asked and knowing the text beats the type's majority by > 10 points."""
    kind = _NameStub()
    kept = _accepted(kind, B.calibrate(kind, [_Graph()] * 10, text=True))  # type: ignore[list-item]
    assert sum(kept["deer"].values()) == 0
    for text in ("man", "dog"):
        c = kept[text]
        (top, n1), (_, n2) = c.most_common(2)
        assert top == "floor" and n1 <= (B.ANCHOR_LEAD + 0.15) * n2, (text, c)
    assert _text_gain(kept) <= 0.01, kept
    monkeypatch.setattr(_NameStub, "balance_text_anchor", False)
    flat = _accepted(kind, B.calibrate(kind, [_Graph()] * 10, text=True))  # type: ignore[list-item]
    assert sum(flat["deer"].values()) > 1000
    assert _text_gain(flat) > 0.1, flat


def test_colour_comparisons_are_not_settled_by_the_names(
    sprite_views: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    """attribute_compare on sprites: a pair of things is asked about only when their
    categories' palettes leave both answers possible, and kept so that each pair of
    categories is "yes" as often as "no": memorising the answer per pair of names beats
    the per-type majority by at most 5 points (+ noise) on held-out images; every asked
    pair has a same-colour chance strictly between 0 and 1."""
    from synthgen.generators.qa.sources import world_view

    views = sprite_views + [world_view(*s) for s in sprite_scenes(5 * IMAGES, seed=2027)]
    qas, groups = _ask(views, ("attribute_compare",), rounds=8)
    colour = [(q, g) for q, g in zip(qas, groups, strict=True) if q.program["query"] == "color"]
    # 261 colour QA from 3 x IMAGES views read a 16-point gap once the scenes moved (stop
    # 26's atlas re-pack) and 3 points from 6 x IMAGES (462 QA): the pairs are many and
    # each is seen in a few images, so the sample must be this large to tell a cue
    assert len(colour) >= 400, len(colour)

    def pair(q: QA) -> str:
        return "|".join(sorted((q.program["a"]["name"], q.program["b"]["name"])))

    # pairs the palettes settle ("the man and the woman": never the same colour) are gone:
    # no pair has one answer in 8 or more images (each image is asked 8 times: count images)
    by: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for q, g in colour:
        by[pair(q)][q.answer].add(g)
    assert not any(
        len(images) == 1 and len(next(iter(images.values()))) >= 8 for images in by.values()
    ), {k: {a: len(v) for a, v in c.items()} for k, c in by.items()}
    monkeypatch.setattr(B, "program_words", lambda q: pair(q))
    gap, n = _memorise_gap([q for q, _ in colour], [g for _, g in colour])
    assert n >= 100 and gap <= 0.05 + SLACK, (gap, n)


# --- left-/right-most: name weights fitted on more graphs ----------------------------


@pytest.mark.parametrize("kind", ["leftmost", "rightmost"])
def test_left_and_right_most_name_weights_are_fitted_on_more_sprite_graphs(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On sprites the per-name weights of left-/right-most are fitted on OPEN_CUE_GRAPHS
    (4 x CUE_GRAPHS) calibration graphs: on CUE_GRAPHS their estimation error was itself a
    cue (a question-only model +4.2..+7.9 points over the per-type majority at 4,500-4,800
    QA, three seeds; +1.1..+4.3 on 2,640 graphs, later up to +7.1; -0.6..+2.7 on 3,520).
    Other cue kinds and the shapes world keep CUE_GRAPHS (shapes tables unchanged). Fails
    on the old code (880 graphs for sprites)."""
    from synthgen.generators.qa.base import question_kinds
    from synthgen.world.choice import default_config

    asked: list[tuple[str, int | None]] = []
    monkeypatch.setattr(
        B, "calibration_graphs", lambda world=None, n=None: asked.append((str(world), n)) or ()
    )
    monkeypatch.setattr(B, "_cached", lambda key, compute: compute())
    monkeypatch.setattr(B, "_CACHE", {})
    sprites, shapes = B.Balancer(world=default_config("sprites")), B.Balancer()
    sprites.table(question_kinds.get(kind)())
    shapes.table(question_kinds.get(kind)())
    sprites.table(question_kinds.get("relation_exists")())
    assert [n for _, n in asked] == [4 * B.CUE_GRAPHS, B.CUE_GRAPHS, B.CUE_GRAPHS], asked
