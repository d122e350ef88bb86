"""The workshop documents name commands that exist and need nothing on PATH beyond the system."""

from __future__ import annotations

import os
import re
import shlex

import pytest

from conftest import ROOT

DOCS = [ROOT / "docs" / "facilitator-guide.md", ROOT / "docs" / "workshop-hub.md"]
# Tools that come from the venv: a command that needs them bare on PATH fails from a clone.
FROM_THE_VENV = {"python", "voila", "jupyterhub", "jupyter", "nbgrader", "pip", "ruff"}


def commands(path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    found = re.findall(r"`((?:\./)?(?:scripts|workshop)/[\w-]+)(?: [^`]*)?`", text)
    for block in re.findall(r"```bash\n(.*?)```", text, re.DOTALL):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            # Skip sudo, its options and VAR=value settings: the command is what follows.
            words = [
                w
                for w in shlex.split(line, comments=True)
                if w != "sudo" and not w.startswith("-") and not re.match(r"^[A-Z_]+=", w)
            ]
            if words:
                found.append(words[0])
    return found


@pytest.mark.parametrize("path", DOCS, ids=[p.name for p in DOCS])
def test_every_documented_command_exists_and_finds_its_own_tools(path):
    seen = commands(path)
    assert seen, path
    for command in seen:
        assert command not in FROM_THE_VENV, f"{path.name}: `{command}` needs the venv on PATH"
        if command.startswith(("./scripts/", "scripts/", "workshop/")):
            script = ROOT / command.removeprefix("./")
            assert script.is_file(), f"{path.name}: {command}"
            assert os.access(script, os.X_OK), f"{path.name}: {command}"
