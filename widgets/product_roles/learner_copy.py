"""The learner's working copy: the course's notebooks, copied once, updated without loss.

``./scripts/course`` runs :func:`sync` before it starts JupyterLab. The first time, it
copies ``course/*.ipynb``, the assignments in ``exercises/`` (as ``assignments/``)
and the learner's reference pages (``docs/glossary.md``, ``docs/learner-guide.md``,
which the notebooks link to) into the working copy (``my-work/`` by default, which
git ignores), so JupyterLab's autosave and the answers files never touch the tracked
course files and ``git pull`` never conflicts.

Every later start brings in what a newer version of the course changed, and never
loses work:

- a notebook the course added is copied in;
- a notebook the learner has only run (its cells' text is as it was copied, outputs
  aside) is replaced by the new version, and the learner's copy is kept under
  ``.previous/<time>/``;
- a notebook whose cells the learner edited stays as it is; the new version is put
  beside it as ``<name>.course-update.ipynb`` (a reference page the same way, by its
  text);
- answers files (``*.answers.json``, ``*.choice.json``) and anything else the learner
  made are never touched; a notebook the course dropped stays.

``.course-copy.json`` in the working copy records, for every notebook, the cells'
text of the version last copied; that is how "only run" is told from "edited".
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

MANIFEST = ".course-copy.json"
PREVIOUS = ".previous"
UPDATE_SUFFIX = ".course-update"
LEARNER_DOCS = ("glossary.md", "learner-guide.md")
FORMAT = "product-roles-working-copy"


@dataclass
class Report:
    """What one :func:`sync` did, path by path (relative to the working copy)."""

    copied: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    backup: Path | None = None

    def lines(self) -> list[str]:
        """Plain-language lines for the learner, empty when nothing changed."""
        out = []
        if self.copied:
            out.append(f"Copied {len(self.copied)} course notebook(s) into your working copy.")
        if self.updated:
            out.append(
                f"Updated {len(self.updated)} notebook(s) to the course's new version: "
                + ", ".join(self.updated)
                + f". Your previous copies are in {self.backup}."
            )
        for name in self.kept:
            out.append(
                f"Kept your edited {name}; the course's new version is beside it as "
                f"{_update_name(name)}."
            )
        return out


def sources(course: Path, exercises: Path | None) -> dict[str, Path]:
    """The files to copy: working-copy path to the tracked file it comes from.

    The reference pages come from the ``docs/`` folder beside ``course``, when it has them.
    """
    found = {path.name: path for path in sorted(course.glob("[0-9][0-9]-*.ipynb"))}
    if exercises is not None and exercises.is_dir():
        for path in sorted(exercises.glob("*/*.ipynb")):
            found[f"assignments/{path.parent.name}/{path.name}"] = path
    for name in LEARNER_DOCS:
        page = course.parent / "docs" / name
        if page.is_file():
            found[f"docs/{name}"] = page
    return found


def cells_digest(path: Path) -> str:
    """A digest of a notebook's cells' types and text: outputs and metadata aside.

    Any other file's digest is of its bytes.
    """
    if path.suffix != ".ipynb":
        return hashlib.sha256(path.read_bytes()).hexdigest()
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = [
        [cell.get("cell_type"), "".join(cell.get("source", ""))]
        for cell in notebook.get("cells", [])
    ]
    return hashlib.sha256(json.dumps(cells).encode()).hexdigest()


def sync(course: Path, work: Path, exercises: Path | None = None, *, now=None) -> Report:
    """Create or update the working copy ``work`` from ``course`` (and ``exercises``)."""
    work.mkdir(parents=True, exist_ok=True)
    manifest_path = work / MANIFEST
    manifest = _read_manifest(manifest_path)
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    report = Report()
    for name, source in sources(course, exercises).items():
        target = work / name
        new_digest = cells_digest(source)
        recorded = manifest.get(name)
        if not target.exists():
            _copy(source, target)
            report.copied.append(name)
        elif recorded is None or recorded == new_digest:
            # Known and unchanged in the course, or a file of the learner's that
            # happens to share a name: either way it is left alone.
            if recorded is None and cells_digest(target) != new_digest:
                _put_beside(source, work, name, stamp, report)
        elif cells_digest(target) == recorded:
            _keep_previous(work, name, stamp, report)
            _copy(source, target)
            report.updated.append(name)
        else:
            _put_beside(source, work, name, stamp, report)
        manifest[name] = new_digest
    _write_manifest(manifest_path, manifest)
    return report


def _keep_previous(work: Path, name: str, stamp: str, report: Report) -> None:
    """Copy the learner's ``name`` into ``.previous/<stamp>/`` before it is replaced."""
    report.backup = work / PREVIOUS / stamp
    backup = report.backup / name
    backup.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(work / name, backup)


def _put_beside(source: Path, work: Path, name: str, stamp: str, report: Report) -> None:
    """Write the course's new version beside the learner's edited ``name``."""
    beside = _update_name(name)
    if (work / beside).exists():
        # The learner may have started working in an earlier update: keep it too.
        _keep_previous(work, beside, stamp, report)
    _copy(source, work / beside)
    report.kept.append(name)


def _update_name(name: str) -> str:
    path = Path(name)
    return str(path.with_name(f"{path.stem}{UPDATE_SUFFIX}{path.suffix}"))


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    shutil.copyfile(source, temporary)
    temporary.replace(target)


def _read_manifest(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"{path} is not a working-copy record")
    return dict(data["notebooks"])


def _write_manifest(path: Path, notebooks: dict[str, str]) -> None:
    record = {"format": FORMAT, "version": 1, "notebooks": dict(sorted(notebooks.items()))}
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m product_roles.learner_copy",
        description="Create or update the learner's working copy of the course notebooks.",
    )
    parser.add_argument("--course", type=Path, required=True, help="the course/ folder")
    parser.add_argument("--exercises", type=Path, help="the exercises/ folder (assignments)")
    parser.add_argument("--work", type=Path, required=True, help="the working copy")
    args = parser.parse_args(argv)
    first = not (args.work / MANIFEST).exists()
    report = sync(args.course, args.work, args.exercises)
    if first:
        print(f"Your working copy is {args.work}: your notebooks and answers are saved there.")
    for line in report.lines():
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
