"""Every field of every document part type is one of ``PART_KEYS``: the JSON writes exactly
those keys (so every record has one key set), and a field outside them would be dropped from
the JSON without a word."""

from __future__ import annotations

from synthgen.generators.multihop import schema


def test_every_part_field_is_written() -> None:
    parts = [
        cls
        for cls in vars(schema).values()
        if isinstance(cls, type)
        and issubclass(cls, schema.PartModel)
        and cls is not schema.PartModel
    ]
    assert len(parts) >= 3
    for cls in parts:
        assert set(cls.model_fields) <= set(schema.PART_KEYS), (
            cls.__name__,
            set(cls.model_fields) - set(schema.PART_KEYS),
        )
