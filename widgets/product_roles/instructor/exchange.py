"""The course's nbgrader exchange: where it is, and the check made before releasing to it.

nbgrader's exchange is a folder that instructors release into and students fetch
from and submit to. Its default, ``/usr/local/share/nbgrader/exchange``, is made by
nbgrader's release command when it is missing (and can be, only by root), and that
command also sets an existing one to mode 0777, writable by every account on the
machine. The course names its exchange instead (``nbgrader_config.py`` calls
:func:`configure`):

- ``$PRODUCT_ROLES_EXCHANGE`` when it is set: a shared folder, such as
  ``/srv/nbgrader/exchange`` on a hub, made by an administrator for a group that
  holds the instructors and the students;
- otherwise ``nbgrader-exchange/`` inside the course folder, for a course run on one
  account; ``product-roles release`` makes it, readable by its owner only.

Releasing (``product-roles release`` or plain ``nbgrader release_assignment``)
refuses an exchange that is missing or that this account cannot write to, with a
message naming the fix, and never changes the folder's mode
(:class:`.exchange_release.ReleaseToCourseExchange`). Collecting (``product-roles
grade`` or plain ``nbgrader collect``) checks each submission folder before it copies
it (:class:`.exchange_collect.CollectFromCourseExchange`). This module itself imports
nothing of nbgrader, so that ``product-roles`` starts light.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "PRODUCT_ROLES_EXCHANGE"
IN_COURSE = "nbgrader-exchange"
GUIDE = "docs/instructor-guide.md, 'The exchange'"


def exchange_root(course_root: str | os.PathLike) -> Path:
    """The exchange of the course at ``course_root``: ``$PRODUCT_ROLES_EXCHANGE``, or inside it."""
    chosen = os.environ.get(ENV, "").strip()
    if chosen:
        return Path(chosen).expanduser().absolute()
    return Path(course_root).absolute() / IN_COURSE


def configure(c) -> None:
    """Name the course's exchange in the nbgrader configuration ``c``; release without
    widening it, and collect only what each student may hand in."""
    from product_roles.instructor.exchange_collect import CollectFromCourseExchange
    from product_roles.instructor.exchange_release import ReleaseToCourseExchange

    c.Exchange.root = str(exchange_root(c.CourseDirectory.root))
    c.ExchangeFactory.release_assignment = ReleaseToCourseExchange
    c.ExchangeFactory.collect = CollectFromCourseExchange


def in_course(root: Path, course_root: str | os.PathLike) -> bool:
    return Path(root).absolute().is_relative_to(Path(course_root).absolute())


def problem(root: Path) -> str:
    """What stops this account releasing to the exchange ``root``, naming the fix; ``""`` if nothing."""
    root = Path(root)
    if not root.exists():
        return (
            f"There is no exchange at {root}. Create it for the students' group, e.g. "
            f"`sudo install -d -m 3770 -g STUDENTS {root}`, or set {ENV} to an exchange "
            f"that exists (see {GUIDE})."
        )
    if not root.is_dir():
        return f"The exchange {root} is not a folder. Set {ENV} to a folder (see {GUIDE})."
    if not os.access(root, os.W_OK | os.X_OK):
        return (
            f"This account cannot write to the exchange {root}. Join its group (`ls -ld "
            f"{root}` shows it) and log in again, or ask its administrator to give the group "
            f"write access (`chmod 3770 {root}`); or set {ENV} to an exchange you can "
            f"write to (see {GUIDE})."
        )
    return ""


def prepare(root: Path, course_root: str | os.PathLike) -> tuple[str, str]:
    """Make the exchange ready for a release: ``(what was done, problem)``, one of them ``""``.

    The course's own exchange, inside the course folder, is made when missing, with
    mode 0700: on one account nobody else needs it, and a shared exchange is made by
    whoever runs the machine. Any other missing or unwritable exchange is refused.
    """
    root = Path(root)
    done = ""
    if not root.exists() and in_course(root, course_root):
        root.mkdir(mode=0o700)
        root.chmod(0o700)  # whatever the umask
        done = f"created the exchange {root} (mode 0700: this account only)"
    return done, problem(root)
