"""The course directory as nbgrader sees it: config, folders, submissions and gradebook."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CONFIG = "nbgrader_config.py"


class CourseError(RuntimeError):
    """The course folder is not usable as asked; the message says what to do."""


def find_root(start: str | os.PathLike | None = None) -> Path:
    """The nearest folder at or above ``start`` that holds ``nbgrader_config.py``."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG).is_file():
            return folder
    raise CourseError(f"no {CONFIG} in {here} or above it: run this from the course folder")


@lru_cache(maxsize=8)
def _load(root: str):
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader(CONFIG, path=root).load_config()


def load_config(root: str | os.PathLike, **overrides):
    """nbgrader's configuration for the course at ``root``, with ``overrides`` per section.

    ``overrides`` maps a section to its settings, e.g. ``Execute={"timeout": 10}``.
    """
    from traitlets.config import Config

    config = Config(_load(str(Path(root).resolve())))
    config.CourseDirectory.root = str(Path(root).resolve())
    for section, values in overrides.items():
        for name, value in values.items():
            config[section][name] = value
    return config


@dataclass(frozen=True, init=False)
class Course:
    """Folders of the course at ``root``, as named by its nbgrader configuration."""

    root: Path
    db_url: str | None = None

    def __init__(self, root: str | os.PathLike[str], db_url: str | None = None) -> None:
        # Callers pass a str or a Path; the field is always the resolved Path.
        object.__setattr__(self, "root", Path(root).resolve())
        object.__setattr__(self, "db_url", db_url)

    @property
    def coursedir(self):
        from nbgrader.coursedir import CourseDirectory

        config = load_config(self.root)
        if self.db_url:
            config.CourseDirectory.db_url = self.db_url
        return CourseDirectory(config=config)

    def folder(self, name: str) -> Path:
        return self.root / getattr(self.coursedir, f"{name}_directory")

    @property
    def gradebook_url(self) -> str:
        return self.coursedir.db_url

    def submissions(self, assignment: str) -> list[str]:
        """The students who submitted ``assignment``, in name order."""
        submitted = self.folder("submitted")
        if not submitted.is_dir():
            return []
        return sorted(
            student.name
            for student in submitted.iterdir()
            if (student / assignment).is_dir() and not student.name.startswith(".")
        )

    def assignments(self) -> list[str]:
        source = self.folder("source")
        return sorted(p.name for p in source.iterdir() if p.is_dir() and p.name[0] != ".")
