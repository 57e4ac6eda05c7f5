"""Per-root cache of file results, keyed by content hash, so an unchanged file costs a hash and a
dictionary look-up on the next run. One JSON file per reviewed root, in the user's cache directory
(`WICKED_DATA_CACHE_DIR`, else `$XDG_CACHE_HOME/wicked-data`, else `~/.cache/wicked-data`). The key
includes the tool version and the source of the analysis and rules, so a changed reviewer never
serves stale results."""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from checks import __version__


def default_dir() -> Path:
    env = os.environ.get("WICKED_DATA_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "wicked-data"


@lru_cache(maxsize=1)
def engine_fingerprint() -> str:
    """Hash of the reviewer's own code: any change to the analysis or a rule invalidates the cache."""
    package = Path(__file__).resolve().parent
    digest = hashlib.blake2b(__version__.encode(), digest_size=16)
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class Cache:
    def __init__(self, path: Path, entries: dict[str, dict]) -> None:
        self.path = path
        self.entries = entries
        self.dirty = False

    @staticmethod
    def digest(data: bytes) -> str:
        return hashlib.blake2b(data, digest_size=16).hexdigest()

    @classmethod
    def open(cls, root: Path, cache_dir: Path | None = None) -> "Cache":
        folder = cache_dir or default_dir()
        key = hashlib.blake2b(str(root.resolve()).encode(), digest_size=12).hexdigest()
        path = folder / f"{key}.json"
        entries: dict[str, dict] = {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("engine") == engine_fingerprint():
                entries = data.get("files", {})
        except (OSError, ValueError, AttributeError):
            pass
        return cls(path, entries)

    def get(self, rel: str, digest: str, stamp: list[int] | None = None) -> dict | None:
        """The result cached for this content; a hit records the file's new `stamp`."""
        entry = self.entries.get(rel)
        if entry and entry.get("hash") == digest:
            if stamp is not None and entry.get("stamp") != stamp:
                entry["stamp"] = stamp
                self.dirty = True
            return entry["result"]
        return None

    def get_stamped(self, rel: str, stamp: list[int]) -> dict | None:
        """The result cached for a file whose size and modification time are unchanged."""
        entry = self.entries.get(rel)
        if entry and entry.get("stamp") == stamp:
            return entry["result"]
        return None

    def put(self, rel: str, digest: str, result: dict, stamp: list[int] | None = None) -> None:
        self.entries[rel] = {"hash": digest, "stamp": stamp, "result": result}
        self.dirty = True

    def save(self) -> None:
        """Write atomically; a cache that cannot be written only costs speed, never the review."""
        if not self.dirty:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            # json.dumps runs the C encoder; json.dump to a file iterates in Python (several times slower)
            text = json.dumps({"engine": engine_fingerprint(), "files": self.entries}, separators=(",", ":"))
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(tmp, self.path)
        except OSError:
            pass
