"""A worker process ends when its supervisor does.

uvicorn's supervisor (WORKERS>1) spawns the workers; killed with SIGKILL it cannot stop them,
and they would go on serving on the inherited socket, so a restart could not bind the port.
Each worker asks Linux for SIGTERM when its parent dies (a graceful shutdown), and elsewhere
watches for its parent to change.
"""

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
import threading

_PR_SET_PDEATHSIG = 1


def exit_with_supervisor() -> None:
    """In a worker spawned by a supervisor, arrange to stop when the supervisor goes."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return  # a single-process server: nobody above to outlive
    if not (sys.platform == "linux" and _parent_death_signal()):
        threading.Thread(target=_watch, args=(parent.pid,), daemon=True).start()
    if os.getppid() != parent.pid:  # it died before the signal was asked for
        os.kill(os.getpid(), signal.SIGTERM)


def _parent_death_signal() -> bool:
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    return bool(libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) == 0)


def _watch(parent_pid: int) -> None:
    stop = threading.Event()
    while not stop.wait(1.0):
        if os.getppid() != parent_pid:
            os.kill(os.getpid(), signal.SIGTERM)
            return
