"""Review results kept on disk, so follow-up questions still work after the server restarts
(`claude --continue` starts a new server process).

Layout: `<data>/reviews/<project key>/<root key>-<content key>.json`, where the project key hashes
the project folder, the root key the reviewed folder, and the content key the reviewer's own code,
the configuration and every reviewed file's bytes. `<data>` is `CLAUDE_PLUGIN_DATA` (Claude Code's
per-plugin data folder), else `WICKED_DATA_HOME`, else the user cache directory.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from checks.cache import engine_fingerprint
from checks.models import Finding, Review

KEEP = 32  # stored reviews per project; older ones are deleted


def data_dir(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    for name in ("CLAUDE_PLUGIN_DATA", "WICKED_DATA_HOME"):
        if env.get(name):
            return Path(env[name])
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "wicked-data"


def _key(text: str, size: int = 12) -> str:
    return hashlib.blake2b(text.encode(), digest_size=size).hexdigest()


def content_key(files: list[tuple[Path, str]], config_json: str) -> str:
    """Hash of the reviewer, its configuration and the reviewed files (names and bytes)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(engine_fingerprint().encode())
    digest.update(config_json.encode())
    for path, rel in files:
        digest.update(rel.encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError as exc:
            digest.update(f"unreadable:{exc.errno}".encode())
        digest.update(b"\0")
    return digest.hexdigest()


class ReviewStore:
    def __init__(self, base: Path, project: Path) -> None:
        self.folder = base / "reviews" / _key(str(project))

    def path_for(self, root: Path, content: str) -> Path:
        return self.folder / f"{_key(str(root), 8)}-{content}.json"

    def load(self, root: Path, content: str) -> Review | None:
        path = self.path_for(root, content)
        review = _read(path)
        if review is not None:
            try:
                os.utime(path)  # the newest review answers follow-ups first
            except OSError:
                pass
        return review

    def save(self, root: Path, content: str, review: Review) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.path_for(root, content)
        fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(review.model_dump(mode="json", by_alias=True), handle)
        os.replace(tmp, target)
        self._prune()

    def latest(self, root: Path | None = None) -> Review | None:
        """The newest stored review (of `root` when given)."""
        prefix = f"{_key(str(root), 8)}-" if root is not None else ""
        for path in self._newest_first():
            if path.name.startswith(prefix):
                review = _read(path)
                if review is not None:
                    return review
        return None

    def find(self, finding_id: str) -> tuple[Finding, Review] | None:
        """The finding with this id in the newest stored review that has it."""
        for path in self._newest_first():
            try:
                if finding_id not in path.read_text(encoding="utf-8"):
                    continue
            except OSError:
                continue
            review = _read(path)
            for finding in review.findings if review else []:
                if finding.id == finding_id:
                    return finding, review
        return None

    def _newest_first(self) -> list[Path]:
        try:
            paths = list(self.folder.glob("*.json"))
        except OSError:
            return []
        return sorted(paths, key=_mtime, reverse=True)

    def _prune(self) -> None:
        for path in self._newest_first()[KEEP:]:
            path.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _read(path: Path) -> Review | None:
    try:
        return Review.model_validate_json(path.read_bytes())
    except (OSError, ValueError):
        return None
