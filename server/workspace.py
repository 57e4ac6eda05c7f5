"""Where the MCP tools may read: the user's project and the roots the user configured, nothing else.

The project is `CLAUDE_PROJECT_DIR` (set by Claude Code for the servers it starts), else the
server's working directory, which is the user's project, not the plugin's folder. More roots come
from `WICKED_DATA_ROOTS` (separated by the OS path separator) and from the MCP client's `roots/list`.
A path with `..`, an absolute path outside every root, a symlink leading out, a NUL byte or an
over-long path is refused with a message the agent can act on.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

MAX_PATH_LENGTH = 4096


class PathRefused(ValueError):
    """A path the tools will not read; the message says why and what to do instead."""


@dataclass
class Workspace:
    project: Path
    extra: list[Path] = field(default_factory=list)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Workspace":
        env = os.environ if environ is None else environ
        project = Path(env.get("CLAUDE_PROJECT_DIR") or os.getcwd())
        extra = [Path(p) for p in env.get("WICKED_DATA_ROOTS", "").split(os.pathsep) if p.strip()]
        return cls(project=_real(project), extra=[_real(p) for p in extra if p.is_absolute()])

    @property
    def roots(self) -> list[Path]:
        return [self.project, *self.extra]

    def add_client_roots(self, uris: list[str]) -> None:
        """Roots announced by the MCP client (`file://` URIs); other schemes are ignored."""
        for uri in uris:
            parsed = urlparse(uri)
            if parsed.scheme == "file" and parsed.path:
                root = _real(Path(unquote(parsed.path)))
                if root not in self.roots:
                    self.extra.append(root)

    def contains(self, real: Path) -> bool:
        return any(real == root or real.is_relative_to(root) for root in self.roots)

    def resolve(self, path: str | None) -> Path:
        """The real path of `path` (relative to the project, or absolute inside a root), or
        `PathRefused`."""
        text = "." if path is None or not str(path).strip() else str(path).strip()
        if "\x00" in text:
            raise PathRefused("the path contains a NUL byte")
        if len(text) > MAX_PATH_LENGTH:
            raise PathRefused(f"the path is longer than {MAX_PATH_LENGTH} characters")
        if text.startswith("file://"):
            text = unquote(urlparse(text).path)
        candidate = Path(os.path.expanduser(text)) if text.startswith("~") else Path(text)
        if ".." in candidate.parts:
            raise PathRefused(f"{text!r} contains '..'; give a path inside the project ({self.project}), "
                              "relative to it or absolute")
        if not candidate.is_absolute():
            candidate = self.project / candidate
        real = _real(candidate)
        if not self.contains(real):
            where = "is a symlink leading" if _lexically_inside(candidate, self.roots) else "is"
            raise PathRefused(f"{text!r} {where} outside the project ({self.project}); wicked-data only reads the "
                              "user's project and the roots they configured (WICKED_DATA_ROOTS)")
        if not real.exists():
            raise PathRefused(f"{text!r} does not exist under {self.project}")
        return real

    def display(self, real: Path) -> str:
        """`real` relative to the root that holds it ('.' for the project itself)."""
        for root in self.roots:
            if real == root or real.is_relative_to(root):
                rel = real.relative_to(root).as_posix()
                return rel or "." if root == self.project else str(real)
        return str(real)


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _lexically_inside(path: Path, roots: list[Path]) -> bool:
    absolute = Path(os.path.abspath(path))
    return any(absolute == r or absolute.is_relative_to(r) for r in roots)
