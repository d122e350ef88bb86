"""The resource limits of one grading kernel, with the defaults an instructor can change."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class Limits:
    """What one submission's kernel may use.

    The defaults leave an honest card-sort notebook several times the room it needs
    (it peaks below 400 MiB of address space and a second of CPU) and stop a
    runaway one quickly.

    Attributes
    ----------
    memory_mb : int
        Address space of each process in the kernel (``RLIMIT_AS``).
    cpu_seconds : int
        CPU time of each process (``RLIMIT_CPU``); the kernel is killed past it.
    processes : int
        Processes and threads the kernel may have at once (``RLIMIT_NPROC``, counted
        in the kernel's own user namespace). ipykernel itself runs about ten threads.
    file_size_mb : int
        Largest file the kernel may write (``RLIMIT_FSIZE``).
    disk_mb : int
        Size of the kernel's private, in-memory working folder and ``/tmp``.
    open_files : int
        Open file descriptors (``RLIMIT_NOFILE``).
    output_kb : int
        Notebook output kept from one submission; past it the kernel is stopped.
    wall_seconds : int
        Time one submission may take from kernel start to its last cell.
    """

    memory_mb: int = 2048
    cpu_seconds: int = 60
    processes: int = 64
    file_size_mb: int = 16
    disk_mb: int = 64
    open_files: int = 256
    output_kb: int = 1024
    wall_seconds: int = 120

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"sandbox limit {item.name} must be a whole number above 0")

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(item.name for item in fields(cls))

    def describe(self) -> str:
        """One line for logs and the instructor guide's examples."""
        return (
            f"memory {self.memory_mb} MiB, CPU {self.cpu_seconds} s, {self.processes} processes, "
            f"files up to {self.file_size_mb} MiB, {self.disk_mb} MiB of disk, "
            f"{self.open_files} open files, {self.output_kb} KiB of output, "
            f"{self.wall_seconds} s in all"
        )
