"""Per-root cache of file results, keyed by content hash, so an unchanged file costs a hash and a
dictionary look-up on the next run. Two JSON files per reviewed root, in the user's cache directory
(`WICKED_DATA_CACHE_DIR`, else `$XDG_CACHE_HOME/wicked-data`, else `~/.cache/wicked-data`):

- `<root>.json`: each file's result (findings, the facts the project rules read), by content hash;
- `<root>.review.json`: the last review's outcome before filtering (each file's findings and
  errors, without facts, and the project rules' findings), with the size and modification time of
  every file it covered. When the same files all have the same stamps, the review is this snapshot:
  nothing is analysed and neither the facts nor the analysis code are loaded.

Both include the tool version and the source of the analysis and rules, so a changed reviewer never
serves stale results."""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from wicked_data.checks import __version__


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
    def __init__(self, path: Path, entries: dict[str, dict] | None = None) -> None:
        self.path = path
        self.snapshot_path = path.with_suffix(".review.json")
        self._entries = entries
        self.dirty = False

    @property
    def entries(self) -> dict[str, dict]:
        """The file results, read on first use (a review served from the snapshot never reads them)."""
        if self._entries is None:
            self._entries = {}
            data = _read_json(self.path)
            files = data.get("files") if data is not None and data.get("engine") == engine_fingerprint() else None
            if isinstance(files, dict):  # an entry of another shape is dropped (its file analysed again)
                self._entries = {rel: entry for rel, entry in files.items() if isinstance(entry, dict)}
        return self._entries

    @staticmethod
    def digest(data: bytes) -> str:
        return hashlib.blake2b(data, digest_size=16).hexdigest()

    @classmethod
    def open(cls, root: Path, cache_dir: Path | None = None) -> "Cache":
        folder = cache_dir or default_dir()
        key = hashlib.blake2b(str(root.resolve()).encode(), digest_size=12).hexdigest()
        return cls(folder / f"{key}.json")

    def snapshot(self, stamps: dict[str, list[int] | None], settings: str) -> dict | None:
        """The last review's outcome (`results`: [rel, result] without facts; `findings` and
        `errors` of the project rules) if it covered exactly these files with these stamps and
        settings. A file too recently written to be vouched for by its stamp rules it out."""
        if not stamps or any(stamp is None for stamp in stamps.values()):
            return None
        data = _read_json(self.snapshot_path)
        if data is None or data.get("engine") != engine_fingerprint() or data.get("settings") != settings \
                or data.get("stamps") != stamps:
            return None
        return data

    def save_snapshot(self, stamps: dict[str, list[int] | None], settings: str, results: list[tuple[str, dict]],
                      findings: list[dict], errors: list[dict], catalogue: list[list] | None = None,
                      projects: list[list] | None = None, withdrawn: list[str] | None = None,
                      adjusted: dict[str, list[str]] | None = None) -> None:
        """`catalogue`: [rule id, is a project rule] for every rule, so that a served review can say
        what each rule covered without importing the rules."""
        _write_json(self.snapshot_path, {"engine": engine_fingerprint(), "settings": settings, "stamps": stamps,
                                         "results": results, "findings": findings, "errors": errors,
                                         "catalogue": catalogue or [], "projects": projects or [],
                                         "withdrawn": withdrawn or [], "adjusted": adjusted or {}})

    def knows(self, rel: str) -> bool:
        """Is a result cached for this file (of any content)?"""
        return rel in self.entries

    def get(self, rel: str, digest: str, stamp: list[int] | None = None, salt: str = "") -> dict | None:
        """The result cached for this content (analysed with the same stated facts, `salt`); a hit
        records the file's new `stamp`."""
        entry = self.entries.get(rel)
        if entry and entry.get("hash") == digest and entry.get("salt", "") == salt:
            if stamp is not None and entry.get("stamp") != stamp:
                entry["stamp"] = stamp
                self.dirty = True
            return entry["result"]
        return None

    def get_stamped(self, rel: str, stamp: list[int], salt: str = "") -> dict | None:
        """The result cached for a file whose size and modification time are unchanged."""
        entry = self.entries.get(rel)
        if entry and entry.get("stamp") == stamp and entry.get("salt", "") == salt:
            return entry["result"]
        return None

    def put(self, rel: str, digest: str, result: dict, stamp: list[int] | None = None, salt: str = "") -> None:
        self.entries[rel] = {"hash": digest, "stamp": stamp, "result": result, **({"salt": salt} if salt else {})}
        self.dirty = True

    def save(self) -> None:
        """Write atomically; a cache that cannot be written only costs speed, never the review."""
        if not self.dirty:
            return
        _write_json(self.path, {"engine": engine_fingerprint(), "files": self.entries})


def _read_json(path: Path) -> dict | None:
    """The stored object, or None when the file is missing or damaged. The first line holds a digest
    of the rest: a truncated, corrupted or hand-edited file (even one that is valid JSON of the
    right shape, such as a snapshot with a finding repeated) is discarded and rebuilt, never trusted."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    digest, _, text = raw.partition(b"\n")
    if not text or digest.decode("ascii", "replace") != _digest(text):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _digest(text: bytes) -> str:
    return "wicked-data:" + hashlib.blake2b(text, digest_size=16).hexdigest()


def _write_json(path: Path, data: dict) -> None:
    """Write atomically; a cache that cannot be written only costs speed, never the review."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        # json.dumps runs the C encoder; json.dump to a file iterates in Python (several times slower)
        text = json.dumps(data, separators=(",", ":")).encode("utf-8")
        with os.fdopen(fd, "wb") as out:
            out.write(_digest(text).encode("ascii") + b"\n" + text)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
