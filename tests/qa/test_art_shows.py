"""Things the art draws beside the named one (the jockey's horse, the cyclist's bicycle,
the snowman's top hat) are seen by a person and named by no graph: their words never refer
nor count in an image that shows such art. Found by looking (stop 28): "In which of the
images is there not a hat? Image 1", where the snowman wears one."""

from __future__ import annotations

from synthgen.generators.qa.sources import ART_SHOWS, QUESTION_WORDS, world_view
from synthgen.world.sprites.atlas import load_atlas
from tests.helpers import sprite_scenes


def test_the_table_names_atlas_categories() -> None:
    atlas = load_atlas()
    for name, drawn in ART_SHOWS.items():
        assert name in atlas.categories, name
        for word in drawn:
            assert word in atlas.categories or word in QUESTION_WORDS, (name, word)


def test_drawn_things_words_never_refer_nor_count_beside_their_art() -> None:
    atlas = load_atlas()
    seen = 0
    for scene in sprite_scenes(400, seed=30):
        view = world_view(*scene)
        lex = view.lexicon
        assert lex is not None and view.world is not None
        shown = {view.world.category.get(o.id) for o in view.objects}
        for name in shown & set(ART_SHOWS):
            for word in ART_SHOWS[name]:
                words = {word}
                if word in atlas.categories:
                    words.add(atlas.categories[word].plural)
                for w in words:
                    assert w not in lex.countable, (name, w)
                    assert w not in lex.general, (name, w)
                    # a word may still refer when a named thing of it is the only one
                    # (the sky), never when only the art shows it
                    assert not lex.members.get(w), (name, w, lex.members.get(w))
                seen += 1
    assert seen >= 10, seen
