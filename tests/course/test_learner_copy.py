"""The learner's working copy: made once from course/, updated without losing work."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timezone

import nbformat
import pytest

from conftest import ROOT
from product_roles import learner_copy

LATER = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def notebook(path, *sources, outputs=False):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    if outputs:
        for cell in nb.cells:
            cell.outputs = [nbformat.v4.new_output("stream", text="ran\n")]
            cell.execution_count = 1
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def cells(path):
    return [c.source for c in nbformat.read(path, as_version=4).cells]


@pytest.fixture
def course(tmp_path):
    folder = tmp_path / "course"
    notebook(folder / "01-start.ipynb", "print('one')")
    notebook(folder / "02-next.ipynb", "print('two')")
    notebook(tmp_path / "exercises" / "graded" / "graded.ipynb", "answer = None")
    return folder


def test_first_run_copies_notebooks_and_assignments(course, tmp_path):
    work = tmp_path / "work"
    report = learner_copy.sync(course, work, tmp_path / "exercises")
    assert sorted(report.copied) == [
        "01-start.ipynb",
        "02-next.ipynb",
        "assignments/graded/graded.ipynb",
    ]
    assert cells(work / "01-start.ipynb") == ["print('one')"]
    assert (work / "assignments" / "graded" / "graded.ipynb").exists()
    # A second run with nothing new says nothing and changes nothing.
    assert learner_copy.sync(course, work, tmp_path / "exercises").lines() == []


def test_a_notebook_only_run_takes_the_new_version_and_keeps_the_old(course, tmp_path):
    work = tmp_path / "work"
    learner_copy.sync(course, work)
    notebook(work / "01-start.ipynb", "print('one')", outputs=True)  # the learner ran it
    (work / "warmup.answers.json").write_text('{"mine": true}')
    notebook(course / "01-start.ipynb", "print('one, revised')")
    report = learner_copy.sync(course, work, now=LATER)
    assert report.updated == ["01-start.ipynb"]
    assert cells(work / "01-start.ipynb") == ["print('one, revised')"]
    kept = work / ".previous" / "20300102T030405Z" / "01-start.ipynb"
    assert nbformat.read(kept, as_version=4).cells[0].outputs, "the run copy is kept whole"
    assert (work / "warmup.answers.json").read_text() == '{"mine": true}'
    assert any("previous copies" in line for line in report.lines())


def test_an_edited_notebook_stays_and_the_update_goes_beside_it(course, tmp_path):
    work = tmp_path / "work"
    learner_copy.sync(course, work)
    notebook(work / "02-next.ipynb", "print('two')", "my reflection")
    notebook(course / "02-next.ipynb", "print('two, revised')")
    report = learner_copy.sync(course, work, now=LATER)
    assert report.kept == ["02-next.ipynb"]
    assert not report.updated
    assert cells(work / "02-next.ipynb") == ["print('two')", "my reflection"]
    assert cells(work / "02-next.course-update.ipynb") == ["print('two, revised')"]
    # A later update never overwrites work begun in the earlier update's file.
    notebook(work / "02-next.course-update.ipynb", "print('two, revised')", "more of mine")
    notebook(course / "02-next.ipynb", "print('two, third version')")
    learner_copy.sync(course, work, now=datetime(2031, 1, 1, tzinfo=timezone.utc))
    backup = work / ".previous" / "20310101T000000Z" / "02-next.course-update.ipynb"
    assert cells(backup) == ["print('two, revised')", "more of mine"]
    assert cells(work / "02-next.course-update.ipynb") == ["print('two, third version')"]
    assert cells(work / "02-next.ipynb") == ["print('two')", "my reflection"]


def test_new_course_notebooks_arrive_and_dropped_ones_stay(course, tmp_path):
    work = tmp_path / "work"
    learner_copy.sync(course, work)
    notebook(course / "03-new.ipynb", "print('three')")
    (course / "02-next.ipynb").unlink()
    report = learner_copy.sync(course, work)
    assert report.copied == ["03-new.ipynb"]
    assert (work / "02-next.ipynb").exists()


def test_a_file_of_the_learners_with_a_course_name_is_never_overwritten(course, tmp_path):
    work = tmp_path / "work"
    notebook(work / "01-start.ipynb", "their own notebook")
    report = learner_copy.sync(course, work)
    assert cells(work / "01-start.ipynb") == ["their own notebook"]
    assert report.kept == ["01-start.ipynb"]


def test_the_record_names_its_format(course, tmp_path):
    work = tmp_path / "work"
    learner_copy.sync(course, work)
    record = json.loads((work / learner_copy.MANIFEST).read_text())
    assert record["format"] == "product-roles-working-copy"
    assert record["version"] == 1
    (work / learner_copy.MANIFEST).write_text('{"format": "something else"}')
    with pytest.raises(ValueError, match="not a working-copy record"):
        learner_copy.sync(course, work)


def test_the_repository_copy_covers_every_course_notebook_and_assignment():
    found = learner_copy.sources(ROOT / "course", ROOT / "exercises")
    assert len([n for n in found if "/" not in n]) == len(list((ROOT / "course").glob("*.ipynb")))
    assert {n.split("/")[1] for n in found if n.startswith("assignments/")} == {
        p.name for p in (ROOT / "exercises").iterdir() if p.is_dir()
    }


def test_git_ignores_the_default_working_copy_and_its_files():
    for path in ("my-work/01-start-here.ipynb", "course/x.choice.json", "a.answers.json"):
        result = subprocess.run(
            ["git", "check-ignore", "-q", path], cwd=ROOT, check=False, capture_output=True
        )
        assert result.returncode == 0, f"git does not ignore {path}"


def test_the_reference_pages_come_along_and_an_annotated_one_is_kept(course, tmp_path):
    """The notebooks link to docs/glossary.md, so the working copy has it beside them."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "glossary.md").write_text("# Glossary\n")
    work = tmp_path / "work"
    report = learner_copy.sync(course, work)
    assert "docs/glossary.md" in report.copied
    assert (work / "docs" / "glossary.md").read_text() == "# Glossary\n"
    (work / "docs" / "glossary.md").write_text("# Glossary\nmy notes\n")
    (docs / "glossary.md").write_text("# Glossary\n\nA new term.\n")
    report = learner_copy.sync(course, work, now=LATER)
    assert report.kept == ["docs/glossary.md"]
    assert (work / "docs" / "glossary.md").read_text() == "# Glossary\nmy notes\n"
    assert (work / "docs" / "glossary.course-update.md").read_text().endswith("A new term.\n")


def test_the_notebooks_links_to_reference_pages_resolve_in_the_working_copy(tmp_path):
    import re

    work = tmp_path / "work"
    learner_copy.sync(ROOT / "course", work, ROOT / "exercises")
    checked = set()
    for notebook_path in sorted(work.glob("*.ipynb")):
        for cell in nbformat.read(notebook_path, as_version=4).cells:
            for target in re.findall(r"\]\((docs/[^)#\s]+)", cell.source):
                assert (work / target).is_file(), f"{notebook_path.name} links to {target}"
                checked.add(target)
    assert checked >= {"docs/glossary.md", "docs/learner-guide.md"}, checked
