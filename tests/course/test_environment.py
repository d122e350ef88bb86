"""The dependency lists agree: environment.yml with pyproject.toml, the test extra with
every other extra."""

import re
from collections import defaultdict
from importlib.metadata import requires
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _requirements() -> dict[str, list[str]]:
    """The installed metadata (pyproject.toml's lists) by extra; "" is the base install."""
    lists = defaultdict(list)
    for requirement in requires("product-roles-course"):
        extra = re.search(r"extra\s*==\s*['\"]([^'\"]+)", requirement)
        lists[extra.group(1) if extra else ""].append(requirement)
    return lists


PROJECT = {"dependencies": _requirements().pop(""), "optional-dependencies": _requirements()}
PROJECT["optional-dependencies"].pop("", None)


def normalise(requirement: str) -> str:
    requirement = requirement.split(";")[0]
    name, rest = re.match(r"([A-Za-z0-9_.\-]+)(.*)", requirement.strip()).groups()
    return name.lower().replace("_", "-") + rest.replace(" ", "")


def test_environment_yml_is_the_learners_base_install():
    wanted = {normalise(r) for r in PROJECT["dependencies"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {
        normalise(d)
        for d in env["dependencies"]
        if isinstance(d, str) and not re.match(r"(python|pip)\b", d)
    }
    assert conda == wanted
    assert {"-e ."} == set(next(d for d in env["dependencies"] if isinstance(d, dict))["pip"])


def test_the_test_extra_carries_every_other_extra():
    extras = {
        name: {normalise(r) for r in reqs}
        for name, reqs in PROJECT["optional-dependencies"].items()
    }
    test = extras.pop("test")
    for name, requirements in extras.items():
        assert requirements <= test, f"the test extra lacks {sorted(requirements - test)} ({name})"


def test_the_learners_install_leaves_out_grading_at_scale_and_the_hub():
    base = {normalise(r).split(">")[0].split("[")[0] for r in PROJECT["dependencies"]}
    assert not base & {"distributed", "psycopg", "jupyterhub", "voila", "nbgitpuller"}


def test_every_extra_the_docs_and_scripts_install_exists():
    """``pip install '.[name]'`` in a document and ``setup_python name`` in a script name
    extras that pyproject.toml has; the instructor guide names the grading ones."""
    extras = set(PROJECT["optional-dependencies"])
    named = defaultdict(set)
    for path in [*ROOT.glob("docs/*.md"), ROOT / "README.md", ROOT / "environment.yml"]:
        for found in re.findall(r"[\w./-]\[([\w,-]+)\]'", path.read_text(encoding="utf-8")):
            named[path.name].update(found.split(","))
    for path in [*ROOT.glob("scripts/*"), *ROOT.glob("workshop/*")]:
        if path.is_file() and path.read_bytes().startswith(b"#!/usr/bin/env bash"):
            for found in re.findall(r"^setup_python (\S+)", path.read_text(), re.MULTILINE):
                named[path.name].add(found)
    assert named["dashboard"] == {"workshop"}  # Voila is not in the base install
    assert {"instructor", "dask", "postgres"} <= named["instructor-guide.md"]
    assert "workshop" in named["workshop-hub.md"]
    for where, names in named.items():
        assert names <= extras, f"{where} installs extras pyproject.toml lacks: {names - extras}"
