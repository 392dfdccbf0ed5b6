"""Execute a notebook in a fresh, sandboxed kernel.

- The kernel is started through `sandbox.launch` and reached over Unix sockets (no network); under bwrap the
  sockets are in the sandbox's own tmpfs, reached through /proc/<pid>/root (`SandboxKernelManager`).
- Outputs are capped while they arrive (a cell printing gigabytes cannot fill the grader's memory).
- Each cell's execute_reply status is recorded (a test passes only on an 'ok' reply).
- A cell that runs past its timeout is interrupted; the whole run has a deadline after which
  the kernel is killed and what ran so far is kept.
- Only `error` outputs fail a cell: warnings on stderr never do.
"""
from __future__ import annotations

import asyncio
import os
import signal
import threading
import time

from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from autograder import sandbox
from autograder.instrument import NOT_RUN, ROLE
from autograder.watchdog import descendants
from cnnlab.checks import MIME
from autograder.settings import CELL_TIMEOUT_S, MAX_OUTPUT_BYTES, NOTEBOOK_TIMEOUT_S

TOTAL_OUTPUT_BYTES = 20 * MAX_OUTPUT_BYTES
RECORD_BYTES = 64 << 20           # the tests' records (arrays included) of one submission, all together
TRUNCATED_NOTE = "\n[output truncated by the grader]\n"
# how long outputs may trail a cell's reply; only a loaded machine ever needs more than a moment, and a test's
# record lost here would cost an honest student the test
IOPUB_TIMEOUT_S = 60


def _size(out) -> int:
    if out.get("output_type") == "stream":
        return len(out.get("text", ""))
    if out.get("output_type") == "error":
        return sum(len(t) for t in out.get("traceback", [])) + len(str(out.get("evalue", "")))
    return sum(len(str(v)) for v in out.get("data", {}).values())


class GradingClient(NotebookClient):
    """nbclient with outputs capped on arrival, replies recorded and timeouts noted."""

    def __init__(self, *args, per_cell_bytes: int = MAX_OUTPUT_BYTES, **kwargs):
        super().__init__(*args, **kwargs)
        self.per_cell_bytes = per_cell_bytes
        self.used: dict[int, int] = {}
        self.total = 0
        self.truncated = False
        self.replies: dict[int, str] = {}
        self.timed_out_cells: list[int] = []
        self.record_bytes = 0
        self.on_cell_executed = self._record_reply

    def _record_reply(self, cell, cell_index, execute_reply):
        content = (execute_reply or {}).get("content", {})
        self.replies[cell_index] = content.get("status", "missing")

    def output(self, outs, msg, display_id, cell_index):
        out = super().output(outs, msg, display_id, cell_index)
        if out is None:
            return out
        if MIME in (out.get("data") or {}):
            self.record_bytes += _size(out)
            if self.record_bytes > RECORD_BYTES:      # never the grader's memory: such a test simply gets no record
                outs.pop()
                self.truncated = True
                return None
            return out
        if out.get("output_type") == "error":         # always kept, but bounded
            out["traceback"] = [t[:4000] for t in out.get("traceback", [])[-30:]]
            out["evalue"] = str(out.get("evalue", ""))[:4000]
            return out
        size = _size(out)
        used = self.used.get(cell_index, 0)
        if used + size > self.per_cell_bytes or self.total + size > TOTAL_OUTPUT_BYTES:
            if outs and outs[-1] is out:
                outs.pop()
            if used < self.per_cell_bytes and out.get("output_type") == "stream":
                room = max(0, min(self.per_cell_bytes - used, TOTAL_OUTPUT_BYTES - self.total))
                out["text"] = out["text"][:room] + TRUNCATED_NOTE
                outs.append(out)
                self.used[cell_index] = self.per_cell_bytes
            self.truncated = True
            return None
        self.used[cell_index] = used + size
        self.total += size
        return out

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.get("metadata", {}).get(ROLE) == NOT_RUN:     # left out by the pruned plan
            return cell
        return await super().async_execute_cell(cell, cell_index, execution_count, store_history)

    async def _async_handle_timeout(self, timeout, cell=None):
        self.timed_out_cells.append(self.code_cells_executed)
        return await super()._async_handle_timeout(timeout, cell)


SANDBOX_START_S = 30


async def _sandbox_root(pid: int) -> str:
    """/proc/<p>/root of the first process under `pid` that lives in the sandbox's file system (it holds the
    sockets' tmpfs); waits for bubblewrap to set it up."""
    own = os.readlink("/proc/self/ns/mnt")
    deadline = time.monotonic() + SANDBOX_START_S
    while time.monotonic() < deadline:
        for child in descendants(pid):
            root = f"/proc/{child}/root"
            try:
                if os.readlink(f"/proc/{child}/ns/mnt") != own and os.path.isdir(root + sandbox.IPC_INSIDE):
                    return root
            except OSError:
                continue
        await asyncio.sleep(0.005)
    raise RuntimeError("the sandbox did not start (no process with its sockets' folder)")


def _kernel_manager(argv: list[str], ipc_dir: str, inside: bool = False):
    """A kernel manager for `argv`; `inside`: the kernel binds its sockets in the sandbox's IPC_INSIDE."""
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpec

    class SandboxKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            await super()._async_launch_kernel(kernel_cmd, **kw)
            if inside:       # the connection file says IPC_INSIDE (the kernel's view); we connect from outside
                self.ip = await _sandbox_root(self.provisioner.process.pid) + self.ip

    ip = sandbox.IPC_INSIDE + "/k" if inside else os.path.join(ipc_dir, "k")
    km = SandboxKernelManager(transport="ipc", ip=ip, connection_file=os.path.join(ipc_dir, "kernel.json"))
    # interrupts travel as messages: a signal would reach the sandbox, not the kernel inside it
    km._kernel_spec = KernelSpec(argv=argv, display_name="grader", language="python",
                                 interrupt_mode="message", env={}, metadata={})
    return km


def _kill(km) -> None:
    proc = getattr(getattr(km, "provisioner", None), "process", None)
    if proc is None:
        return
    try:
        import psutil
        root = psutil.Process(proc.pid)
        for p in root.children(recursive=True) + [root]:
            p.kill()
    except Exception:
        try:
            os.kill(proc.pid, signal.SIGKILL)
        except OSError:
            pass


def run(nb, level: str, ipc_dir: str, scratch: str, log_file=None, cell_timeout: int = CELL_TIMEOUT_S,
        deadline_s: float = NOTEBOOK_TIMEOUT_S, max_procs: int = 0) -> tuple[list, GradingClient]:
    """Execute `nb` in place. Returns (flags, client): timeout, kernel_died, output_truncated, ...
    `ipc_dir` holds the connection file (and, without bwrap, the sockets); `max_procs`: see sandbox.launch."""
    if level == "bwrap":
        argv, env, cwd = sandbox.launch(level, [], scratch, readonly=[ipc_dir], max_procs=max_procs)
    else:
        argv, env, cwd = sandbox.launch(level, [ipc_dir], scratch, max_procs=max_procs)
    km = _kernel_manager(argv, ipc_dir, inside=level == "bwrap")
    client = GradingClient(nb, km=km, timeout=cell_timeout, allow_errors=True, interrupt_on_timeout=True,
                           record_timing=False, iopub_timeout=IOPUB_TIMEOUT_S, shutdown_kernel="immediate")
    flags = []
    expired = threading.Event()

    def out_of_time():
        expired.set()
        _kill(km)
    timer = threading.Timer(deadline_s, out_of_time)
    timer.daemon = True
    timer.start()
    try:
        client.execute(cwd=cwd if level != "bwrap" else None, env=env, stdout=log_file, stderr=log_file)
    except DeadKernelError:
        flags.append("timeout" if expired.is_set() else "kernel_died")
    except Exception as exc:  # startup failures, protocol errors: the row must still be written
        flags.append("timeout" if expired.is_set() else f"execution_error:{type(exc).__name__}")
    finally:
        timer.cancel()
        _kill(km)
    if client.timed_out_cells:
        flags.append("timeout")
    if client.truncated:
        flags.append("output_truncated")
    return sorted(set(flags)), client
