"""One loader for every data file the course ships, and one check of an entry's fields.

The catalogue, the question bank, the study evidence and the smaller data files are
all read by :func:`read_yaml` and all report a problem the same way, with
:class:`ContentError`: naming the file, the entry and the field, so an author editing
the YAML sees exactly what to fix.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml


class ContentError(ValueError):
    """A data file cannot be read, is not YAML, or has an entry with a missing or wrong field."""


def data_file(name: str) -> Path:
    """The path of a data file shipped in ``product_roles/content/data/``."""
    return Path(str(resources.files("product_roles.content").joinpath("data", name)))


def read_yaml(path: str | os.PathLike, what: str) -> Any:
    """Read and parse one YAML file; every problem is a :class:`ContentError` naming ``what``.

    Parameters
    ----------
    path : str or path
        The file: :func:`data_file` names one the package ships.
    what : str
        How the file is named in messages (``"catalogue"``, ``"studies file"``).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ContentError(f"{what}: {path.name} could not be read ({err})") from err
    return parse_yaml(text, what)


def parse_yaml(text: str, what: str) -> Any:
    """Parse YAML ``text``; a syntax error is a :class:`ContentError` naming ``what``."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ContentError(f"{what}: not valid YAML ({err})") from err


def kind_name(kind: type | tuple[type, ...]) -> str:
    # A (int, float) pair reads better to an author as "number".
    return "number" if isinstance(kind, tuple) else kind.__name__


def require_fields(
    where: str,
    entry: Any,
    fields: Mapping[str, type | tuple[type, ...]],
    *,
    optional: Iterable[str] = (),
    may_be_empty: Iterable[str] = (),
    error: type[ValueError] = ContentError,
) -> None:
    """Check that ``entry`` is a mapping with exactly ``fields``, each of its kind.

    Parameters
    ----------
    where : str
        How the entry is named in messages (``card 'pricing'``, ``question #3``).
    fields : mapping
        Field name to its type, or a tuple of accepted types.
    optional : iterable of str
        Fields of ``fields`` that may be left out.
    may_be_empty : iterable of str
        String fields that may be blank; every other string field must say something.
    error : exception class
        Raised with the message; the caller's own error class.
    """
    if not isinstance(entry, Mapping):
        raise error(f"{where}: expected a mapping of fields, got {type(entry).__name__}")
    unknown = sorted(set(entry) - set(fields))
    if unknown:
        raise error(f"{where}: unknown field {unknown[0]!r}")
    optional, may_be_empty = set(optional), set(may_be_empty)
    for name, kind in fields.items():
        if name not in entry:
            if name in optional:
                continue
            raise error(f"{where}: field {name!r} is missing")
        value = entry[name]
        # bool is a subclass of int: `true` must not pass as a year or a count.
        wrong_bool = isinstance(value, bool) and kind is not bool
        if not isinstance(value, kind) or wrong_bool:
            raise error(
                f"{where}: field {name!r} should be {kind_name(kind)}, got {type(value).__name__}"
            )
        if isinstance(value, str) and name not in may_be_empty and not value.strip():
            raise error(f"{where}: field {name!r} is empty")
