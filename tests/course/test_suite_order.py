"""The suite's longest modules, which go to the xdist workers first, are named as they are."""

from __future__ import annotations

from conftest import LONGEST_FIRST, ROOT


def test_every_module_listed_as_longest_exists():
    missing = [name for name in LONGEST_FIRST if not (ROOT / "tests" / name).is_file()]
    assert missing == [], "renamed or removed: update LONGEST_FIRST in tests/conftest.py"
    assert len(set(LONGEST_FIRST)) == len(LONGEST_FIRST)


def test_the_longest_modules_are_collected_first(request):
    collected = [item.path.relative_to(ROOT / "tests").as_posix() for item in request.session.items]
    listed = [name for name in dict.fromkeys(collected) if name in LONGEST_FIRST]
    order = list(dict.fromkeys(collected))
    assert order[: len(listed)] == listed, "the listed modules come before every other"
    assert listed == [name for name in LONGEST_FIRST if name in listed]
