"""Built-in verification filters. Importing this package registers them all."""

from synthgen.filters import min_area  # noqa: F401
