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
import shutil
import tempfile
import time
from pathlib import Path

from wicked_data.checks.analysis.source import MAX_FILE_BYTES, SourceError, file_limit, read_bytes
from wicked_data.checks.cache import engine_fingerprint
from wicked_data.checks.models import Finding, Review

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
    """Hash of the reviewer, its configuration and the reviewed files: each file's name, size,
    modification time and inode from one `stat`, never its bytes (a huge or endless file costs
    nothing here; the review refuses it). A file changed within the last two seconds has a time
    too recent to vouch for its content, so its bytes (up to the review's size limit) are hashed."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(engine_fingerprint().encode())
    digest.update(config_json.encode())
    now = time.time_ns()
    for path, rel in files:
        digest.update(rel.encode("utf-8", "backslashreplace") + b"\0")
        try:
            st = path.stat()
        except OSError as exc:
            digest.update(f"unreadable:{exc.errno}".encode())
        else:
            digest.update(f"{st.st_mode}:{st.st_size}:{st.st_mtime_ns}:{st.st_ino}:{st.st_dev}".encode())
            if now - st.st_mtime_ns < 2_000_000_000:
                try:
                    digest.update(read_bytes(path, file_limit(path, MAX_FILE_BYTES)))
                except SourceError as exc:
                    digest.update(str(exc).encode())
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
        """Store `review` atomically. The store only saves work: when it cannot be written (a full
        disk, a folder where the file should be), the review is still answered, just not kept."""
        target = self.path_for(root, content)
        tmp = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target, ignore_errors=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(review.model_dump(mode="json", by_alias=True), handle)
            os.replace(tmp, target)
        except OSError:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
            return
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
                if finding_id.encode("utf-8", "replace") not in path.read_bytes():
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
            try:
                path.unlink(missing_ok=True)
            except OSError:  # a folder or a file we may not remove: it is skipped on read anyway
                pass


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _read(path: Path) -> Review | None:
    """The stored review at `path`, or None when it is missing or damaged (undecodable, of another
    shape, a folder): a damaged entry is removed so it is rebuilt, never trusted."""
    try:
        return Review.model_validate_json(path.read_bytes())
    except OSError:
        return None
    except ValueError:  # pydantic's ValidationError and UnicodeDecodeError are ValueErrors
        try:
            path.unlink()
        except OSError:
            pass
        return None
