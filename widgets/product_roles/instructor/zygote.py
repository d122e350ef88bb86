"""A kernel fork server: it imports the kernel's modules once and forks one kernel per request.

Starting a Python kernel costs most of its time in imports (IPython, ipykernel, the
course package and its widgets). This process pays them once, never runs any
notebook code itself, and forks a fresh child for every kernel it is asked for. Each
child is a separate process with its own memory: what one submission's code does to
its kernel cannot reach the next submission's kernel, which is forked again from the
untouched server.

Usage: ``python -m product_roles.instructor.zygote SOCKET``. The server listens on
the Unix socket SOCKET (only its user may connect) and prints ``ready``. Protocol:
one JSON object per line, ``{"argv": [...], "env": {...}, "cwd": "..."}`` where
``argv`` holds the arguments that would follow ``-m ipykernel_launcher``; the
server answers each with ``{"pid": N}``, or ``{"error": "..."}``. Several graders
may share one server, each on its own connection. It exits when its stdin closes,
so it never outlives the process that started it.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import selectors
import signal
import socket
import sys
import threading
import traceback
from pathlib import Path

# The modules every graded kernel imports; extra ones come in PRODUCT_ROLES_PRELOAD.
# The list is what a kernel imports while it starts and runs a graded notebook
# (measured with sys.modules); none of them starts a thread, which fork would lose.
PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",
    "IPython.core.interactiveshell",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.logger",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "tornado.platform.asyncio",
    "tornado.queues",
    "psutil",
    "sqlite3",
    "pdb",
    "pydoc",
    "xmlrpc.server",
    "product_roles",
    "product_roles.grading",
)


def preload(names) -> None:
    """Import ``names``; a missing optional module is skipped, as a kernel would import it later."""
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError as err:
            print(f"zygote: could not preload {name}: {err}", file=sys.stderr)


def run_kernel(request: dict, server_fds: list[int]) -> None:
    """In the forked child: become a kernel exactly as ``python -m ipykernel_launcher`` would."""
    os.setsid()  # its own process group, so an interrupt or kill reaches only this kernel
    for fd in server_fds:
        if fd > 2:
            os.close(fd)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # the kernel's own chatter goes to the server's stderr, never the pipe
    os.close(devnull)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    # argv[0] as `python -m ipykernel_launcher` sets it: ipykernel reads it at start-up.
    sys.argv = [importlib.util.find_spec("ipykernel_launcher").origin, *request["argv"]]
    # ipykernel read JPY_PARENT_PID when this server imported it; pass this kernel's own.
    if request["env"].get("JPY_PARENT_PID"):
        sys.argv.append(f"--IPKernelApp.parent_handle={int(request['env']['JPY_PARENT_PID'])}")
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


def _fork_kernel(request: dict, close: list[int]) -> int:
    """Fork a kernel for ``request``; return its pid (in the server)."""
    pid = os.fork()
    if pid:
        return pid
    code = 0
    try:
        run_kernel(request, close)
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:  # noqa: BLE001 - the child must exit, never return to serve
        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve(path: str, lifeline=None) -> None:
    """Answer fork requests on the Unix socket ``path`` until ``lifeline`` (stdin) closes.

    Several graders may connect at once; each sends request lines on its own
    connection and reads one reply line per request.
    """
    lifeline = lifeline or sys.stdin.buffer
    # Children are reaped by the kernel itself: the grader polls them by pid.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)  # only this user may ask for kernels
    listener.listen(64)
    print("ready", flush=True)  # on stdout: the owner waits for it before connecting
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "accept")
    selector.register(lifeline, selectors.EVENT_READ, "lifeline")
    buffers: dict[socket.socket, bytes] = {}
    while True:
        for event, _ in selector.select():
            if event.data == "lifeline":
                if not os.read(lifeline.fileno(), 4096):
                    return
            elif event.data == "accept":
                conn, _ = listener.accept()
                buffers[conn] = b""
                selector.register(conn, selectors.EVENT_READ, "conn")
            else:
                conn = event.fileobj
                chunk = conn.recv(65536)
                if not chunk:
                    selector.unregister(conn)
                    conn.close()
                    del buffers[conn]
                    continue
                buffers[conn] += chunk
                while b"\n" in buffers[conn]:
                    line, buffers[conn] = buffers[conn].split(b"\n", 1)
                    close = [
                        listener.fileno(),
                        lifeline.fileno(),
                        1,
                        *(c.fileno() for c in buffers),
                    ]
                    try:
                        reply = {"pid": _fork_kernel(json.loads(line), close)}
                    except Exception as err:  # noqa: BLE001 - the grader is told, the server lives on
                        reply = {"error": repr(err)}
                    conn.sendall(json.dumps(reply).encode() + b"\n")


def main() -> None:
    # Like ipykernel_launcher: the working directory is not an import path while the
    # kernel's modules load (the kernel's shell adds it back when it starts).
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]
    extra = [n for n in os.environ.get("PRODUCT_ROLES_PRELOAD", "").split(",") if n]
    preload([*PRELOAD, *extra])
    if threading.active_count() != 1:
        sys.exit("zygote: a preloaded module started a thread; forking would be unsafe")
    serve(sys.argv[1])


if __name__ == "__main__":
    main()
