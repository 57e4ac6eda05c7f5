"""Real external programs for the tests: npm packages installed once into a cache directory (the
install is test setup; the tests themselves talk to 127.0.0.1 only), and commands run in a network
namespace of their own with only loopback up."""
from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import REPO

CACHE = Path(os.environ.get("WICKED_DATA_TEST_CACHE") or Path.home() / ".cache" / "wicked-data-tests")
CLAUDE_CODE = ("@anthropic-ai/claude-code", "2.1.328", "claude")
INSPECTOR = ("@modelcontextprotocol/inspector", "2.12.0", "mcp-inspector")
WHEELHOUSE = REPO / ".venv" / "wheelhouse"


@contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def npm_bin(package: str, version: str, binary: str) -> Path:
    """The executable `binary` of `package@version`, installed into the cache on first use."""
    prefix = CACHE / "npm" / f"{package.replace('/', '+')}@{version}"
    exe = prefix / "node_modules" / ".bin" / binary
    done = prefix / ".installed"
    with _locked(prefix.parent / (prefix.name + ".lock")):
        if not done.exists():
            npm = shutil.which("npm")
            assert npm, "the tests need npm (Node.js) to install the Claude Code CLI and the MCP Inspector"
            shutil.rmtree(prefix, ignore_errors=True)
            prefix.mkdir(parents=True)
            proc = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix",
                                   str(prefix), f"{package}@{version}"], capture_output=True, text=True, timeout=900)
            assert proc.returncode == 0, f"npm install {package}@{version} failed:\n{proc.stderr[-3000:]}"
            done.touch()
    assert exe.exists(), f"{exe} missing after installing {package}@{version}"
    return exe


def plugin_copy(target: Path, *, with_checkout_env: bool = False) -> Path:
    """The plugin as a user gets it (no git data, environment, caches or labelled corpus). With
    `with_checkout_env`, the checkout's `.venv` is linked in, so its server starts without installing."""
    skip = shutil.ignore_patterns(".git", ".venv", "__pycache__", "corpus", ".venv-*", "results", "*.egg-info")
    shutil.copytree(REPO, target, ignore=skip, symlinks=True)
    if with_checkout_env:
        (target / ".venv").symlink_to(REPO / ".venv", target_is_directory=True)
    return target


def offline(argv: list[str]) -> list[str]:
    """`argv` run in a new network namespace where only loopback (127.0.0.1) exists."""
    script = 'ip link set lo up && exec "$@"'
    prefix = ["unshare", "-n"] if os.geteuid() == 0 else ["unshare", "-rn"]
    return [*prefix, "sh", "-c", script, "offline", *argv]


def offline_pip_env() -> dict[str, str]:
    """Environment for pip to install from the wheelhouse that scripts/dev-env fills (no index)."""
    assert WHEELHOUSE.is_dir(), "run scripts/dev-env first: it fills .venv/wheelhouse"
    return {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(WHEELHOUSE), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
