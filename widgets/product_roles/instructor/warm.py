"""Per-worker savings on nbgrader's bookkeeping, applied once in each grading worker.

nbgrader opens the gradebook about ten times per submission, and each opening
builds a new database engine, reads the table list and re-checks every table; it
also checks its cell-metadata JSON schema against the meta-schema for every cell.
In a long-lived worker both are the same work repeated. :func:`apply` makes a worker
keep one engine per gradebook URL and check each schema once. What is read, written
and validated is unchanged, so grades are identical (the grading tests compare
them with a plain ``nbgrader autograde`` run).
"""

from __future__ import annotations

import threading

_applied = False
_lock = threading.Lock()


def apply() -> None:
    """Install both savings in this process (idempotent)."""
    global _applied
    with _lock:
        if _applied:
            return
        _cache_schema_checks()
        _reuse_gradebook_engines()
        _applied = True


def _cache_schema_checks() -> None:
    import jsonschema
    from jsonschema.exceptions import best_match
    from nbgrader.nbgraderformat import common

    validators: dict[int, object] = {}

    class _Checked:
        """``jsonschema.validate`` without re-checking a schema it has already checked."""

        def __getattr__(self, name):
            return getattr(jsonschema, name)

        @staticmethod
        def validate(instance, schema, *args, **kwargs):
            if args or kwargs:
                return jsonschema.validate(instance, schema, *args, **kwargs)
            validator = validators.get(id(schema))
            if validator is None:
                cls = jsonschema.validators.validator_for(schema)
                cls.check_schema(schema)
                validator = validators[id(schema)] = (cls(schema), schema)
            error = best_match(validator[0].iter_errors(instance))
            if error is not None:
                raise error

    common.jsonschema = _Checked()


def _reuse_gradebook_engines() -> None:
    from nbgrader import api

    engines: dict[str, object] = {}
    created: set[str] = set()
    original_create_engine = api.create_engine
    original_create_all = api.Base.metadata.create_all

    def create_engine(url, *args, **kwargs):
        key = str(url)
        if key not in engines:
            engines[key] = original_create_engine(url, *args, **kwargs)
        return engines[key]

    def create_all(bind=None, **kwargs):
        # Tables, once made or found in a gradebook, stay there for this worker's life.
        key = str(bind.url) if bind is not None else ""
        if key in created:
            return None
        result = original_create_all(bind=bind, **kwargs)
        created.add(key)
        return result

    api.create_engine = create_engine
    api.Base.metadata.create_all = create_all
