"""Relation kinds (ProVision's relation family and beyond): how two described objects, or
the objects at two regions, are related; which candidate stands in a relation to an object;
and yes/no "is A <pred> B".

The procedural world's relations are decided with margins: a pair with neither ``p`` nor
its opposite was too close to call, so no question claims anything about it. Visual Genome
graphs are read closed-world, as ProVision does (an unannotated relation is false).
"""

from __future__ import annotations

import numpy as np

from synthgen.generators.qa.balance import word_cues
from synthgen.generators.qa.base import QA, QuestionKind, permutation, question_kinds, sample
from synthgen.generators.qa.graph import OPPOSITE, QAGraph
from synthgen.generators.qa.programs import pick, ref
from synthgen.generators.qa.refexp import region
from synthgen.generators.qa.templates import Templates, either, say, say_all

ASKED_OPPOSITES = ("left of", "right of", "in front of", "behind", "closer than", "farther than")
"""Predicates yes/no questions ask (decided both ways; size comparatives are left out
because descriptions may name sizes)."""


def _related_pairs(g: QAGraph) -> list[tuple[int, int]]:
    """Pairs with relations to ask about; in an open world between things only: a
    backdrop piece's relations come with it (the sky is above, the wall behind, the floor
    under), so naming or outlining it would answer the question."""
    if g.world is None:
        return sorted(g.spatial_between)
    thing = g.world.is_thing
    return sorted(pair for pair in g.spatial_between if thing(pair[0]) and thing(pair[1]))


@question_kinds.register
class RelationBetweenNamed(QuestionKind):
    """How two uniquely described objects are related: every relation predicate that holds
    from the first to the second (the world's comparative and attribute predicates, implied
    by attributes and dense, are left out). Not asked of open worlds' real things, whose
    names give their relation away (see ``ask``)."""

    name = "relation_named"
    family = "relation"
    version = "2"
    answer_type = "relation"
    requires = frozenset({"relations"})
    excludes = frozenset({"world"})  # see ask: not asked of open worlds' real things
    balance = True

    def ask(self, g: QAGraph, rng: np.random.Generator, t: Templates) -> QA | None:
        if g.world is not None:
            # not asked of real things: "How is the man related to the hat?" is "wearing"
            # by the words alone, and "the kite ... the dog" is "above" (a question-only
            # model beat the majority by 22 points, 19 with geometric pairs only, and no
            # per-word weighting balances it); relation_object / relation_subject ask the
            # placed relations with the predicate given, so the image must be looked at
            return None
        pairs = _related_pairs(g)
        if not pairs:
            return None
        refs = g.refs
        for _ in range(4):
            s, o = pick(rng, pairs)
            a, b = refs[s], refs[o]
            if a and b:
                program = {
                    "op": "relations",
                    "subject": ref(g.by_id[s].name, a[1]),
                    "object": ref(g.by_id[o].name, b[1]),
                }
                answer = say_all(g.spatial_between[(s, o)])
                return self.make(t, rng, answer, program, a=a[0], b=b[0])
        return None


GEOMETRIC = frozenset(
    {
        "left of", "right of", "above", "below", "in front of", "behind", "near",
        "next to", "between", "closer than", "farther than",
    }
)  # fmt: skip
"""Predicates a viewer reads off where two things are in the picture: for two regions
given by their coordinates, the coordinates alone answer them."""


@question_kinds.register
class RelationBetweenRegions(QuestionKind):
    """How the objects at two regions are related (as ``relation_named``), for pairs whose
    relations are none of the :data:`GEOMETRIC` ones: the two boxes in the question decide
    "left of" (box x) and "in front of" (box bottom) by themselves, so those are asked of
    named objects only. (The shapes world's pairs are all geometric: not asked there.)

    Not asked of open worlds' real things either: their placed relations follow from the
    two boxes' shapes and places (a small box on top of a tall one is "wearing", a small
    one low beside a tall one "holding", one below a wide one "under"): a question-only
    model beat the per-type majority by 17-31 points, and a relation of a word list
    cannot be flattened per box geometry without asking almost nothing.
    ``relation_object`` / ``relation_subject`` ask them with the predicate given."""

    name = "relation_regions"
    version = "3"
    family = "relation"
    answer_type = "relation"
    requires = frozenset({"relations"})
    excludes = frozenset({"world"})  # see ask: not asked of open worlds' real things
    balance = True

    def ask(self, g: QAGraph, rng: np.random.Generator, t: Templates) -> QA | None:
        if g.world is not None:
            return None
        pairs = [
            pair
            for pair in _related_pairs(g)
            if not any(p in GEOMETRIC for p in g.spatial_between[pair])
        ]
        if not pairs:
            return None
        s, o = pick(rng, pairs)
        a, b = g.by_id[s], g.by_id[o]
        if a.bbox == b.bbox or sum(1 for x in g.objects if x.bbox in (a.bbox, b.bbox)) != 2:
            return None
        program = {"op": "relations", "subject": list(a.bbox), "object": list(b.bbox)}
        answer = say_all(g.spatial_between[(s, o)])
        return self.make(t, rng, answer, program, a=region(a), b=region(b))


@question_kinds.register
class RelationWhich(QuestionKind):
    """Which of 2-3 candidates has relation R to object O: exactly one has it; in the
    procedural world every other candidate has the opposite relation (decided); in an open
    world the others are things of the answer's group (see ``ask``)."""

    name = "relation_which"
    family = "relation"
    answer_type = "name"
    requires = frozenset({"relations"})
    balance = True
    text_balance_only = True
    """Balanced per question text on open worlds; shapes-world questions are kept as they
    were (their options are shuffled and decided both ways)."""

    def balance_text_label(self, qa: QA) -> str:
        """The answer's name: the options are shuffled, so their order tells nothing, but
        which of the named things stands in the relation may ("the eagle or the skunk")."""
        return str(qa.program["refs"][qa.program["options"].index(qa.answer)]["name"])

    def balance_key(self, qa: QA) -> str:
        return f"{qa.program['pred']}|{len(qa.program['options'])}"

    def balance_text(self, qa: QA) -> list[str]:
        """On open worlds: each answer equally likely per question text (predicate, object
        and the candidates' names), else per predicate and candidates' names; rarer texts
        are not asked (see ``balance.text_levels``)."""
        prog = qa.program
        names = "|".join(sorted(r["name"] for r in prog["refs"]))
        return [f"{prog['object']['name']}|{names}", names]

    def ask(self, g: QAGraph, rng: np.random.Generator, t: Templates) -> QA | None:
        decided = g.decided
        preds = [p for p in g.closed_predicates if not decided or p in OPPOSITE]
        if not preds:
            return None
        p = pick(rng, preds)
        pairs = sorted(g.pairs[p])
        s, o = pick(rng, pairs)
        refs = g.refs
        if refs[s] is None or refs[o] is None:
            return None
        if decided:
            wrong = [x for x, y in g.pairs.get(OPPOSITE[p], ()) if y == o]
        else:
            wrong = [x.id for x in g.objects if x.id != o and not g.holds(x.id, p, o)]
        wrong = sorted(x for x in wrong if refs[x] is not None)
        if g.world is not None:
            # the candidates are things of one kind (people with a person, furniture
            # with furniture; never the sky or the floor): "which is flying in the sky:
            # the airplane or the hat?" needs no look, "the man or the woman" does; and
            # "the eagle or the skunk" neither, which the balance per question text
            # (``balance_text``) does not ask
            if not g.world.is_thing(s):
                return None
            group = g.world.group.get(s)
            wrong = [x for x in wrong if g.world.is_thing(x) and g.world.group.get(x) == group]
        if not wrong:
            return None
        k = min(len(wrong), 2 if rng.random() < 0.5 else 1)
        chosen = [s, *sample(rng, wrong, k)]
        chosen = [chosen[i] for i in permutation(rng, len(chosen))]
        texts = [refs[x][0] for x in chosen]  # type: ignore[index]
        program = {
            "op": "which_relation",
            "options": texts,
            "refs": [ref(g.by_id[x].name, refs[x][1]) for x in chosen],  # type: ignore[index]
            "pred": p,
            "object": ref(g.by_id[o].name, refs[o][1]),
            "decided": decided,
        }
        return self.make(
            t,
            rng,
            refs[s][0],
            program,
            options=either(texts),
            among=either(texts, conjunction="and"),
            pred=say(p),
            obj=refs[o][0],
        )


@question_kinds.register
class RelationExists(QuestionKind):
    """Is A <pred> B? "yes" when it holds, "no" when its opposite holds (never from a pair
    too close to call). Both answers come from the same pairs, so they are equally likely
    and the predicate word says nothing about the answer."""

    name = "relation_exists"
    family = "comparison"
    answer_type = "bool"
    requires = frozenset({"relations", "opposites"})
    balance = True

    def ask(self, g: QAGraph, rng: np.random.Generator, t: Templates) -> QA | None:
        preds = [p for p in ASKED_OPPOSITES if p in g.pairs]
        if not preds:
            return None
        p = pick(rng, preds)
        s, o = pick(rng, sorted(g.pairs[p]))
        refs = g.refs
        if refs[s] is None or refs[o] is None:
            return None
        yes = rng.random() < 0.5
        asked = p if yes else OPPOSITE[p]
        program = {
            "op": "relation_holds",
            "subject": ref(g.by_id[s].name, refs[s][1]),  # type: ignore[index]
            "pred": asked,
            "object": ref(g.by_id[o].name, refs[o][1]),  # type: ignore[index]
        }
        return self.make(
            t, rng, "yes" if yes else "no", program, a=refs[s][0], pred=say(asked), b=refs[o][0]
        )

    def balance_cues(self, qa: QA) -> list[tuple[str, str, str]]:
        """The predicate with each word describing either object ("Is the large cube
        closer to the camera than the small sphere?": large things are nearer more often
        than not), weighted so no such word tells yes from no."""
        prog = qa.program
        pred = prog["pred"]
        words = [f"{pred}:s:{prog['subject']['name']}", f"{pred}:o:{prog['object']['name']}"]
        words += [f"{pred}:s:{v}" for v in prog["subject"]["attrs"].values()]
        words += [f"{pred}:o:{v}" for v in prog["object"]["attrs"].values()]
        return word_cues(pred, words, qa.answer)
