"""The parse floor: read every file named in LIST (one path a line) and `ast.parse` it, in this one
process on one core. No reviewer that parses Python with CPython's parser can be faster than this,
so `bench/run.py` states every tool's time as a multiple of it.

    python bench/floor.py LIST

Prints one JSON line: files read, files parsed, files that are not valid Python 3.
"""
from __future__ import annotations

import ast
import json
import sys
import warnings


def parse_all(paths: list[str]) -> dict[str, int]:
    parsed = invalid = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)  # invalid escapes in old code; the engine ignores them too
        for path in paths:
            with open(path, "rb") as handle:
                data = handle.read()
            try:
                ast.parse(data, filename=path)
                parsed += 1
            except (SyntaxError, ValueError):
                invalid += 1
    return {"files": len(paths), "parsed": parsed, "invalid": invalid}


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as listing:
        print(json.dumps(parse_all(listing.read().splitlines())))
