"""Sprite world: real object categories drawn from an emoji-art atlas (issue #14)."""
