"""Review settings: `[tool.wicked-data]` in the reviewed project's pyproject.toml, then the command line.

One validated model; an unknown key or a bad value is an error, never silently ignored.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from wicked_data.checks.models import Severity

DEFAULT_EXCLUDE = [".git", ".hg", ".venv", "venv", "env", "node_modules", "__pycache__", "build", "dist",
                   "site-packages", ".tox", ".nox", ".ipynb_checkpoints", ".mypy_cache", ".pytest_cache",
                   ".wicked-data-cache"]


class ConfigError(Exception):
    """Invalid configuration; the message names the key and the problem."""


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=_kebab, populate_by_name=True)

    select: list[str] = Field(default_factory=list, description="rule id prefixes to run (empty: all)")
    ignore: list[str] = Field(default_factory=list, description="rule id prefixes to skip")
    min_severity: Severity = Severity.P3
    exclude: list[str] = Field(default_factory=list, description="extra glob patterns of paths to skip")
    per_file_ignores: dict[str, list[str]] = Field(default_factory=dict)
    max_file_size: int = Field(default=2_000_000, gt=0)
    cache: bool = True
    jobs: int = Field(default=0, ge=0, description="worker processes; 0 picks by file count and cores")
    # What the code cannot show, stated by the user (used as evidence by the analysis).
    positive_rate: float | None = Field(default=None, gt=0, lt=1,
                                        description="share of positive labels, e.g. 0.08 (class balance)")
    time_column: str | None = Field(default=None, min_length=1,
                                    description="the column that orders the rows in time, e.g. 'event_ts'")

    @field_validator("select", "ignore")
    @classmethod
    def _codes(cls, codes: list[str]) -> list[str]:
        return [_code(code) for code in codes]

    @field_validator("per_file_ignores")
    @classmethod
    def _file_codes(cls, table: dict[str, list[str]]) -> dict[str, list[str]]:
        return {pattern: [_code(code) for code in codes] for pattern, codes in table.items()}

    @field_validator("min_severity", mode="before")
    @classmethod
    def _severity(cls, value):
        return normal_severity(value) if isinstance(value, str) else value

    def unknown_codes(self, rule_ids: Iterable[str]) -> list[str]:
        """The selectors (select, ignore, per-file ignores) that match none of `rule_ids`: a typo
        there would silently check nothing, or ignore nothing."""
        ids = list(rule_ids)
        codes = [*self.select, *self.ignore, *(c for codes in self.per_file_ignores.values() for c in codes)]
        return list(dict.fromkeys(c for c in codes if not any(rule_id.startswith(c) for rule_id in ids)))

    def stated(self) -> dict:
        """The facts the user stated about the data, by their `[tool.wicked-data]` key."""
        return {k: v for k, v in (("positive-rate", self.positive_rate), ("time-column", self.time_column))
                if v is not None}

    def wants(self, rule_id: str) -> bool:
        if self.select and not any(rule_id.startswith(p) for p in self.select):
            return False
        return not any(rule_id.startswith(p) for p in self.ignore)

    def merged(self, **overrides) -> "Config":
        data = self.model_dump()
        data.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return Config.model_validate(data)
        except ValidationError as exc:
            raise ConfigError(f"invalid option: {_problems(exc)}") from None


def normal_severity(value: str) -> str:
    """`p2` is `P2`: severities, like rule ids, in any case."""
    return value.strip().upper()


def _code(code: str) -> str:
    """A rule id or prefix, any case (`ml1` is `ML1`)."""
    normal = code.strip().upper() if isinstance(code, str) else code
    if not (isinstance(normal, str) and normal.startswith("ML") and normal[2:].isdigit() and len(normal) <= 5):
        raise ValueError(f"{code!r} is not a rule id or prefix (e.g. ML1, ML10, ML101)")
    return normal


def load_project_config(root: Path) -> Config:
    """`[tool.wicked-data]` of `root/pyproject.toml` (or of the nearest parent that has one)."""
    for folder in [root, *root.parents]:
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            return _from_pyproject(pyproject)
    return Config()


def _from_pyproject(path: Path) -> Config:
    import tomllib  # only when there is a pyproject.toml to read

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot parse TOML: {exc}") from None
    section = data.get("tool", {}).get("wicked-data")
    if section is None:
        return Config()
    try:
        return Config.model_validate(section)
    except ValidationError as exc:
        raise ConfigError(f"{path}: invalid [tool.wicked-data]: {_problems(exc)}") from None


def _problems(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in err['loc']) or '(section)'}: {err['msg']}" for err in exc.errors())
