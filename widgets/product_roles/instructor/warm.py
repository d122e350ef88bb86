"""Savings on nbgrader's bookkeeping, for the length of one grading call.

nbgrader opens the gradebook about ten times per submission, and each opening
builds a new database engine, reads the table list and re-checks every table; it
also checks its cell-metadata JSON schema against the meta-schema for every cell.
Within one submission that is the same work repeated. While :func:`savings` is
entered, an opening reuses the engine of the gradebook's URL, the tables are checked
once, and each schema is checked once. Nothing outlives the outermost ``with``:
nbgrader's own functions are put back and the engines disposed of, so the rest of
the process sees nbgrader unchanged. What is read, written and validated is
unchanged too, so grades are identical (the grading tests compare them with a plain
``nbgrader autograde`` run). ``benchmarks/grading_throughput.py`` and
docs/benchmarks.md give what it saves.
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

_lock = threading.Lock()
_depth = 0
_restore: list = []


@contextlib.contextmanager
def savings():
    """Reuse gradebook engines and schema checks inside the ``with`` (reentrant, thread-safe)."""
    global _depth
    with _lock:
        if _depth == 0:
            _restore[:] = [_cache_schema_checks(), _reuse_gradebook_engines()]
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                for undo in _restore:
                    undo()
                _restore.clear()


def _cache_schema_checks():
    import jsonschema
    from jsonschema.exceptions import best_match
    from nbgrader.nbgraderformat import common

    validators: dict[int, tuple] = {}

    class _Checked:
        """``jsonschema.validate`` without re-checking a schema it has already checked."""

        def __getattr__(self, name):
            return getattr(jsonschema, name)

        @staticmethod
        def validate(instance, schema, *args, **kwargs):
            if args or kwargs:
                return jsonschema.validate(instance, schema, *args, **kwargs)
            # The schema is kept with its validator, so its id is never reused meanwhile.
            validator = validators.get(id(schema))
            if validator is None:
                cls = jsonschema.validators.validator_for(schema)
                cls.check_schema(schema)
                validator = validators[id(schema)] = (cls(schema), schema)
            error = best_match(validator[0].iter_errors(instance))
            if error is not None:
                raise error

    original = common.jsonschema
    common.jsonschema = _Checked()

    def undo():
        common.jsonschema = original

    return undo


def _reuse_gradebook_engines():
    from nbgrader import api

    engines: dict[str, Engine] = {}
    created: set[str] = set()
    original_create_engine = api.create_engine
    original_create_all = api.Base.metadata.create_all

    def create_engine(url, *args, **kwargs):
        key = str(url)
        if key not in engines:
            engines[key] = original_create_engine(url, *args, **kwargs)
        return engines[key]

    def create_all(bind=None, **kwargs):
        key = str(bind.url) if bind is not None else ""
        if key in created:
            return None
        result = original_create_all(bind=bind, **kwargs)
        created.add(key)
        return result

    api.create_engine = create_engine
    api.Base.metadata.create_all = create_all

    def undo():
        api.create_engine = original_create_engine
        # The instance attribute goes; the class's own method shows through again.
        del api.Base.metadata.create_all
        for engine in engines.values():
            engine.dispose()

    return undo
