"""Workers exit when their supervisor dies: after `kill -9` of a multi-worker server, a new
one binds the same port."""

import os
import signal
import time
from pathlib import Path

import httpx

from tests.test_caching import committed_database
from tests.test_concurrency import _free_port, serving_process

SERVE = ["-c", "from app.cli import main; main()", "serve"]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # pid (comm) state ppid ...: comm may hold spaces, so split after its ')'.
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_restart_after_kill_9_of_the_supervisor_binds_the_port(tmp_path: Path) -> None:
    with committed_database(tmp_path) as database:
        port = _free_port()
        env = {"PORT": str(port), "WORKERS": "2", "LOG_LEVEL": "warning"}
        with serving_process(SERVE, port, database, env=env) as base:
            (supervisor,) = [p for p in _children(os.getpid()) if _children(p)]
            workers = _children(supervisor)
            assert len([w for w in workers if _alive(w)]) >= 2
            os.kill(supervisor, signal.SIGKILL)
            deadline = time.monotonic() + 20
            while any(_alive(w) for w in workers) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert not any(_alive(w) for w in workers), "workers outlived their supervisor"
        with serving_process(SERVE, port, database, env=env) as base:
            assert httpx.get(f"{base}/api/v1/terms").status_code == 200
