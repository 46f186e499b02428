"""The README's set-up works as written: after `make`, its commands find `vervoer`.

CI runs ``make test`` in a fresh clone, which creates ``.venv``; this test then runs the
README's first code block without the ``make`` lines (they are what CI is doing) in a new
shell from the repository's root, as a new user would type it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _setup_block() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```\n(.*?)```", text, flags=re.S)
    assert block is not None
    lines = [line.split("#", 1)[0].strip() for line in block.group(1).splitlines()]
    return [line for line in lines if line]


def test_readme_setup_names_the_command_and_how_to_reach_it():
    lines = _setup_block()
    assert lines[0] == "make demo" and "make test" in lines
    assert ". .venv/bin/activate" in lines
    assert lines[-1] == "vervoer --help"


def test_readme_setup_commands_run_from_the_repository(tmp_path):
    activate = ROOT / ".venv" / "bin" / "activate"
    if not activate.is_file() or Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        pytest.skip("runs where `make` made .venv in this checkout (as in CI)")
    script = "\n".join(["set -e", *(c for c in _setup_block() if not c.startswith("make "))])
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = "/usr/bin:/bin"  # a fresh shell: no vervoer on PATH before activating
    env["HOME"] = str(tmp_path)
    done = subprocess.run(
        ["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "Usage: vervoer" in done.stdout and "plan" in done.stdout
