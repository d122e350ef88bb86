"""The glossary defines every term the course relies on, each with a dated source."""

from __future__ import annotations

import re

import nbformat
import pytest

from conftest import ROOT

GLOSSARY = ROOT / "docs" / "glossary.md"
ENTRY = re.compile(
    r"^\*\*(?P<term>[^*]+)\*\*(?: \(notebook \d\))?\\\n(?P<body>.+?)\n\*Source:\* (?P<source>.+)$",
    re.MULTILINE,
)
# Terms the course's arc depends on; every one must have an entry.
REQUIRED = [
    "Product Owner",
    "Product Manager",
    "Product Marketing Manager",
    "Scrum",
    "Scrum Team",
    "Developers",
    "Sprint",
    "Sprint Planning",
    "Sprint Review",
    "Sprint Retrospective",
    "Product Backlog",
    "Product Goal",
    "Backlog item",
    "User story",
    "Acceptance criteria",
    "Definition of Done",
    "SAFe",
    "Agile Release Train",
    "WSJF",
    "RICE",
    "Roadmap",
    "Business case",
    "Portfolio",
    "Discovery",
    "Product trio",
    "Build trap",
    "CSPO",
    "AI-assisted development",
    "Agentic coding",
    "Evals",
    "RCT",
]
# Bold text in the notebooks that labels the page rather than naming a term.
NOT_TERMS = {
    # the widgets' button and control labels, in bold as the notebooks name them
    "check my answer",
    "check my sort",
    "how sure?",
    "questions",
    "objectives",
    "time",
    "contested",
    "someone else",
    "whole team",
    "engineers (the developers)",
    "cagan",
    "pichler",
    "scrum guide",
    # the label of a judgement exercise's scoring table
    "rubric",
}
OWN_NOTEBOOKS = sorted((ROOT / "course").glob("0[2-4]-*.ipynb"))


def _stem(text: str) -> str:
    words = re.sub(r"[^a-z0-9 -]", "", text.lower()).split()
    return " ".join(re.sub(r"(?<=[^s])s$", "", re.sub(r"ies$", "y", w)) for w in words)


@pytest.fixture(scope="module")
def entries() -> dict[str, re.Match]:
    text = GLOSSARY.read_text("utf-8")
    found = {m["term"]: m for m in ENTRY.finditer(text)}
    assert len(found) == text.count("\n**"), "every bold entry has a definition and a source"
    return found


def _names(term: str) -> set[str]:
    """A heading like 'CSPO (Certified Scrum Product Owner)' names several alternatives."""
    parts = re.split(r",|\(|\)", term)
    return {_stem(p) for p in parts if p.strip()}


def test_required_terms_are_defined(entries):
    names = set().union(*(_names(term) for term in entries))
    missing = [t for t in REQUIRED if _stem(t) not in names]
    assert not missing, f"no glossary entry for {missing}"


def test_entries_are_alphabetical(entries):
    terms = [t.lower() for t in entries]
    assert terms == sorted(terms)


def test_every_source_is_dated_or_says_why_not(entries):
    for term, match in entries.items():
        source = match["source"]
        assert re.search(r"\((19|20)\d\d\)", source) or re.search(
            r"no primary source|this course|undated", source
        ), f"{term}: source has no year, and does not say it is undated"
        assert len(match["body"].split()) >= 8, f"{term}: definition too short to be plain"


@pytest.mark.parametrize("path", OWN_NOTEBOOKS, ids=[p.name for p in OWN_NOTEBOOKS])
def test_terms_introduced_in_bold_are_in_the_glossary(path, entries):
    names = set().union(*(_names(term) for term in entries))
    markdown = "\n".join(
        c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"
    )
    bold = {b for b in re.findall(r"\*\*([^*]+)\*\*", markdown) if not b.endswith(".")}
    undefined = [
        b
        for b in sorted(bold)
        if b.lower() not in NOT_TERMS and not any(f" {n} " in f" {_stem(b)} " for n in names)
    ]
    assert not undefined, f"{path.name} introduces {undefined} without a glossary entry"
