"""Built-in verification filters. Importing this package registers them all."""

from synthgen.filters import min_area, visibility  # noqa: F401
