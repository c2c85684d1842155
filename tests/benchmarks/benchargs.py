"""The benchmarks' command line: positional whole numbers, each with a default."""

from __future__ import annotations

import sys


def int_args(*defaults: int | None) -> list[int | None]:
    """The script's positional arguments as whole numbers, ``defaults`` where one is not given."""
    given = sys.argv[1:]
    return [int(given[i]) if i < len(given) else default for i, default in enumerate(defaults)]
