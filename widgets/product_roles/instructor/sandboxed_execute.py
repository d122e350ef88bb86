"""nbgrader's Execute, with every kernel in the grading sandbox and every limit enforced.

:class:`SandboxedExecute` replaces nbgrader's ``Execute`` in the course's autograde
pipeline (``nbgrader_config.py``). Its kernels come from a fork server
(:mod:`.forkkernel`), sandboxed unless ``SandboxedExecute.sandbox`` is off. On top of
the limits the sandbox sets inside the kernel (memory, CPU, processes, files), it
enforces two from the grader's side: the output one submission may produce, and the
time it may take. A kernel that dies, or is stopped at a limit, ends the notebook's
run, not the grading: the cells it did not run get an error output (so no test cell
gains a point by not running), and the reason goes into the submission's grading
record.

Without a sandbox (``--no-sandbox``), student code runs with the grader's rights and
can read and change anything the grader can; grading then says so on every run.
Kernels then come from jupyter_client's standard kernel manager where the fork
server is not to be had (:mod:`.kernels`: not Linux, ``SandboxedExecute.fork`` off),
and a submission whose fork server fails is graded with a standard kernel instead.
The grading record's ``kernels`` says which ran each notebook. The sandbox needs the
fork server: without it, :class:`SandboxError` fails the submission, which is never
graded unsandboxed.
"""

from __future__ import annotations

import copy
import json
import shutil
import threading
import time
from typing import TYPE_CHECKING, Any

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool, Dict, List

from product_roles.instructor.kernels import (
    FORK,
    TURNED_OFF,
    ForkServerError,
    fork_unavailable,
    sandbox_needs_fork,
    standard,
    use_private_sockets,
)
from product_roles.instructor.sandbox.limits import Limits

if TYPE_CHECKING:
    from jupyter_client.manager import KernelManager

NO_SANDBOX_WARNING = (
    "GRADING WITHOUT A SANDBOX: every student's code runs with your rights. It can read "
    "the answer keys in solutions/ and the gradebook, change other students' "
    "submissions and grades, and keep running after grading. Use this only for "
    "submissions you trust."
)


class SandboxError(RuntimeError):
    """A kernel could not be started in the sandbox: no student code ran."""


class SandboxedExecute(Execute):
    """Execute a submission in a sandboxed kernel forked from a warm server."""

    sandbox = Bool(
        True,
        help="Run each kernel in the grading sandbox (bubblewrap, namespaces, Landlock, "
        "resource limits). Turning it off lets student code act with the grader's rights.",
    ).tag(config=True)
    fork = Bool(
        True,
        help="Start each kernel from a warm fork server (Linux only). Off, or where it "
        "cannot run, kernels start as jupyter_client starts them: slower, the same grades. "
        "The sandbox needs the fork server, so this needs sandbox off too.",
    ).tag(config=True)
    limits = Dict(
        help=f"Resource limits per submission, by name ({', '.join(Limits.names())}); "
        f"the defaults are {Limits().describe()}."
    ).tag(config=True)
    hidden: List[str] = List(
        help="Folders that must never be visible to a kernel, besides the course folder "
        "and the exchange."
    ).tag(config=True)

    # nbclient's trait, declared for the type checker: nbgrader's Execute has no types.
    kernel_name: str
    _standard: str | None = None  # why this submission is run again in a standard kernel
    _manager: KernelManager | None = None
    _sockets: str | None = None  # the standard kernel's socket folder, removed after its run

    def _why_not_fork(self) -> str | None:
        return fork_unavailable() if self.fork else TURNED_OFF

    def create_kernel_manager(self):
        # As nbclient does: the notebook names its kernel when nothing else did.
        if not self.kernel_name:
            name = self.nb.metadata.get("kernelspec", {}).get("name")
            if name is not None:
                self.kernel_name = name
        why_not = self._why_not_fork() if self._standard is None else self._standard
        if why_not is None:
            from product_roles.instructor.forkkernel import ForkKernelManager

            self.km = ForkKernelManager(
                kernel_name=self.kernel_name,
                config=self.config,
                sandbox=self.sandbox,
                limits=Limits(**self.limits).to_dict(),
                hidden=self._hidden(),
            )
        elif self.sandbox:
            raise SandboxError(sandbox_needs_fork(why_not))
        else:
            # jupyter_client's standard manager (nbgrader's AsyncKernelManager).
            self.km = self.kernel_manager_class(kernel_name=self.kernel_name, config=self.config)
            self._sockets = use_private_sockets(self.km)
            self.km.kernels = standard(why_not)
        self._manager = self.km  # nbclient forgets self.km when it shuts the kernel down
        return self.km

    def _hidden(self) -> list[str]:
        coursedir = getattr(self.parent, "parent", None)
        coursedir = getattr(coursedir, "coursedir", None)
        folders = list(self.hidden)
        if coursedir is not None:
            folders.append(coursedir.root)
        exchange = self.config.get("Exchange", {}).get("root")
        folders.append(exchange or "/usr/local/share/nbgrader/exchange")
        return folders

    def preprocess(self, nb, resources=None, km=None):
        if not self.sandbox:
            self.log.warning(NO_SANDBOX_WARNING)
        self._standard = None
        forking = self._why_not_fork() is None
        # Kept to run again with a standard kernel should the fork server stop mid-run.
        pristine = copy.deepcopy(nb) if forking and not self.sandbox else None
        self._manager = None
        try:
            nb, resources = self._execute(nb, resources, km)
        except Exception as err:
            lost = getattr(self._manager, "server_lost", None)
            if not lost:
                raise
            failed: Exception | None = err
        else:
            lost = getattr(self._manager, "server_lost", None)
            failed = None
        if not lost:
            return nb, resources
        if self.sandbox:
            raise SandboxError(
                f"during the run, {lost}; this submission was not graded, grade it again"
            ) from failed
        # Without the sandbox, the whole notebook runs again in a standard kernel.
        self._standard = f"during the run, {lost}"
        self.log.warning("Kernels: %s: running the notebook again", standard(self._standard))
        return self._execute(pristine, resources, None)

    def _execute(self, nb, resources, km):
        """Run ``nb`` in one kernel, within the limits; its record goes into ``resources``."""
        limits = Limits(**self.limits)
        self._output_left = limits.output_kb * 1024
        self._stopped_because = ""
        record: dict[str, Any] = {
            "sandbox": self.sandbox,
            "limits": limits.to_dict(),
            "events": [],
        }
        self._record = record
        started = time.monotonic()
        timer = None
        try:
            from nbclient import NotebookClient

            NotebookClient.__init__(self, nb, km)
            self.reset_execution_trackers()
            self._check_assign_resources(resources)
            try:
                with self.setup_kernel():
                    record["landlock"] = getattr(self.km, "landlock", 0)
                    self._say_kernels(record)
                    timer = threading.Timer(
                        limits.wall_seconds,
                        self._stop,
                        (f"the time limit of {limits.wall_seconds} s was reached",),
                    )
                    timer.daemon = True
                    timer.start()
                    info = self.wait_for_reply(self.kc.kernel_info())
                    self.nb.metadata["language_info"] = info["content"]["language_info"]
                    for index, cell in enumerate(self.nb.cells):
                        try:
                            self.preprocess_cell(cell, resources, index)
                        except CellTimeoutError:
                            # Still busy after the interrupt: it will not stop by itself.
                            self._stop(
                                f"a cell went on after the {self.timeout} s time-out "
                                "and its interrupt"
                            )
                            self._not_run(index, self._stopped_because)
                            break
                        except (DeadKernelError, RuntimeError) as err:
                            self._not_run(index, self._why_stopped(err))
                            break
                        except Exception as err:  # noqa: BLE001 - a forged message
                            # The kernel is the student's: what it sends may be malformed
                            # on purpose. Stop it; the submission is graded as it stands.
                            self._stop(
                                "the kernel sent a message the grader could not read "
                                f"({type(err).__name__})"
                            )
                            self._not_run(index, self._stopped_because)
                            break
            except ForkServerError as err:
                # Only with the sandbox: without it, the provisioner started a standard kernel.
                raise SandboxError(str(err)) from err
            self.set_widgets_metadata()
        finally:
            if timer is not None:
                timer.cancel()
            if self._sockets is not None:
                shutil.rmtree(self._sockets, ignore_errors=True)
                self._sockets = None
            record["seconds"] = round(time.monotonic() - started, 3)
            returncode = getattr(self.km, "returncode", None)
            if returncode is not None and returncode != 0 and not record["events"]:
                record["events"].append(self._death(returncode))
            resources.setdefault("product_roles", {})["execution"] = record
        return self.nb, self.resources

    def _say_kernels(self, record: dict) -> None:
        """Put which kernel runs this notebook in its record and the log."""
        kernels = getattr(self.km, "kernels", "") or type(self.km).__name__
        record["kernels"] = kernels
        if kernels == FORK:
            self.log.info("Kernels: %s", kernels)
        else:
            self.log.warning("Kernels: %s", kernels)

    def _stop(self, why: str) -> None:
        """Stop the kernel at a limit (from the timer's thread or an output callback)."""
        if not self._stopped_because:
            self._stopped_because = why
            self.log.warning("Stopping the kernel: %s", why)
            km = self._manager or self.km  # self.km is gone once nbclient has shut it down
            kill_now = getattr(km, "kill_now", None)
            if kill_now is not None:
                kill_now()
                return
            # A standard kernel: its provisioner's Popen, which may be killed from any thread.
            process = getattr(getattr(km, "provisioner", None), "process", None)
            if process is not None:
                process.kill()

    def _death(self, returncode: int) -> str:
        if returncode == -24:  # SIGXCPU, sent at the soft CPU limit
            return f"the CPU time limit of {self._record['limits']['cpu_seconds']} s was exceeded"
        return f"the kernel died (exit status {returncode})"

    def _why_stopped(self, err: BaseException) -> str:
        if self._stopped_because:
            return self._stopped_because
        returncode = getattr(self.km, "returncode", None)
        if returncode is None:
            # A standard kernel: its provisioner's Popen, while it has one.
            process = getattr(getattr(self.km, "provisioner", None), "process", None)
            returncode = process.poll() if process is not None else None
        if returncode is not None:
            return self._death(returncode)
        return f"the kernel stopped answering ({type(err).__name__}: {err})"

    def _not_run(self, first: int, why: str) -> None:
        """Give every cell from ``first`` on an error saying why it did not run."""
        self._record["events"].append(why)
        self.log.warning("Notebook not run to the end: %s", why)
        for cell in self.nb.cells[first:]:
            if cell.cell_type != "code":
                continue
            cell.outputs = [
                NotebookNode(
                    output_type="error",
                    ename="NotRun",
                    evalue=why,
                    traceback=[f"NotRun: this cell did not run because {why}."],
                )
            ]

    def process_message(self, msg, cell, cell_index):
        # Every message counts against the output limit, widget and display updates
        # included: all of them are kept in the grader's memory or the notebook.
        if self._stopped_because:
            if msg.get("msg_type") == "status":
                return super().process_message(msg, cell, cell_index)
            return None
        size = len(json.dumps(msg.get("content", {}), default=str))
        size += sum(len(b) for b in msg.get("buffers", []) or [])
        self._output_left -= size
        if self._output_left < 0:
            kb = self._record["limits"]["output_kb"]
            self._stop(f"the output limit of {kb} KiB was exceeded")
            return None
        return super().process_message(msg, cell, cell_index)
