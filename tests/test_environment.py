"""environment.yml (for conda users) names the same dependencies as pyproject.toml."""

import re
from importlib.metadata import requires
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def normalise(requirement: str) -> str:
    requirement = requirement.split(";")[0]
    name, rest = re.match(r"([A-Za-z0-9_.\-]+)(.*)", requirement.strip()).groups()
    return name.lower().replace("_", "-") + rest.replace(" ", "")


def test_environment_yml_matches_pyproject():
    # The installed metadata is pyproject.toml's, extras included, on every Python.
    wanted = {normalise(r) for r in requires("product-roles-course")}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {
        normalise(d)
        for d in env["dependencies"]
        if isinstance(d, str) and not re.match(r"(python|pip)\b", d)
    }
    # Packages conda-forge does not carry are installed by pip, from the same file.
    from_pip = {
        normalise(d)
        for section in env["dependencies"]
        if isinstance(section, dict)
        for d in section.get("pip", [])
        if not d.startswith("-e")
    }
    assert conda | from_pip == wanted
    assert not conda & from_pip
