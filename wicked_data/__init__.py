"""wicked-data's one namespace: `wicked_data.checks` (the reviewer) and `wicked_data.server` (the
MCP server), so installing wicked-data puts no top-level `checks` or `server` package into
site-packages to collide with another project's.

Installed, both are sub-folders of this package. In a checkout (and in the Claude Code plugin, which
runs from its folder) they are the top-level folders `checks/` and `server/`: the checkout's root
joins this package's path, so `wicked_data.checks` is `checks/` there.
"""
from pathlib import Path

_here = Path(__file__).resolve().parent
if not (_here / "checks").is_dir() and (_here.parent / "checks" / "__init__.py").is_file():
    __path__.append(str(_here.parent))  # noqa: F821 (a package's __path__)
