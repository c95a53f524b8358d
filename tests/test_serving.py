"""How `congress-api serve` runs uvicorn (app.serving)."""

import asyncio
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from app import serving
from app.serving import WorkerLoop, _Config
from tests.test_caching import committed_database
from tests.test_concurrency import _free_port, serving_process
from tests.test_supervision import SERVE, _children

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="SO_REUSEPORT spreads on Linux")


def _reserve(port: int = 0) -> socket.socket:
    return _Config("app.main:app", host="127.0.0.1", port=port, workers=2).bind_socket()


class _Accepted(asyncio.Protocol):
    def __init__(self, into: list[asyncio.BaseTransport]) -> None:
        self.into = into

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.into.append(transport)


@contextmanager
def _worker(reserved: socket.socket, accepted: list[asyncio.BaseTransport]) -> Iterator[None]:
    """A `WorkerLoop` in a thread, serving on what it makes of the supervisor's socket."""
    loop = WorkerLoop()
    ready = threading.Event()

    servers: list[asyncio.Server] = []

    async def serve() -> None:
        with reserved.dup() as handed:
            servers.append(await loop.create_server(lambda: _Accepted(accepted), sock=handed))

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(serve())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(5)
    try:
        yield
    finally:

        def stop() -> None:
            for transport in accepted:
                transport.close()
            for server in servers:
                server.close()
            loop.call_soon(loop.stop)  # after the closes they scheduled

        loop.call_soon_threadsafe(stop)
        thread.join(5)
        loop.close()


@linux_only
def test_the_socket_of_several_workers_holds_the_address_without_listening() -> None:
    with _reserve() as reserved:
        assert reserved.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT)
        assert not reserved.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(reserved.getsockname(), timeout=2).close()


@linux_only
@pytest.mark.parametrize("reuse_port", [False, True], ids=["plain", "reuse-port"])
def test_several_workers_do_not_start_on_a_port_another_server_listens_on(
    reuse_port: bool,
) -> None:
    """SO_REUSEPORT would let a second server of the same user share the port and take part of
    its traffic; the start fails instead, as it does with one worker."""
    with socket.socket() as other:
        if reuse_port:
            other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        other.bind(("127.0.0.1", 0))
        other.listen()
        with pytest.raises(SystemExit) as stopped:
            _reserve(other.getsockname()[1])
        assert stopped.value.code == serving.STARTUP_FAILURE


@linux_only
def test_each_worker_listens_on_a_socket_of_its_own_and_connections_spread() -> None:
    """Two workers' loops, handed the same supervisor's socket, each listen on a socket of
    their own at its address; 32 connections made at once land on both, and each sends
    without delay."""
    first: list[asyncio.BaseTransport] = []
    second: list[asyncio.BaseTransport] = []
    with _reserve() as reserved, _worker(reserved, first), _worker(reserved, second):
        clients = [socket.create_connection(reserved.getsockname()) for _ in range(32)]
        try:
            for client in clients:
                client.sendall(b"x")  # once each is accepted, it is one side's
            deadline = time.monotonic() + 5
            while len(first) + len(second) < 32 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert first and second, (len(first), len(second))
            own = {t.get_extra_info("sockname") for t in first + second}
            assert own == {reserved.getsockname()}
            for transport in first + second:
                sock = transport.get_extra_info("socket")
                assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        finally:
            for client in clients:
                client.close()


def test_elsewhere_the_workers_share_the_supervisors_listening_socket_without_delay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without SO_REUSEPORT the workers listen on the supervisor's socket itself; it has
    TCP_NODELAY, and so has every connection it accepts: otherwise each response of a worker
    waits for the client's delayed ACK."""
    monkeypatch.setattr(serving, "REUSE_PORT", False)
    listener = _reserve()
    listener.listen()  # as each worker's server does with it
    with listener, socket.create_connection(listener.getsockname()):
        accepted, _address = listener.accept()
        with accepted:
            assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        if not table.exists():  # no IPv6 in this kernel
            continue
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                inodes.add(inode)
    return inodes


def _socket_inodes(pid: int) -> set[str]:
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            found.add(target[len("socket:[") : -1])
    return found


@linux_only
def test_congress_api_serve_gives_each_worker_a_listening_socket_of_its_own(
    tmp_path: Path,
) -> None:
    with committed_database(tmp_path) as database:
        port = _free_port()
        env = {"PORT": str(port), "WORKERS": "2", "LOG_LEVEL": "warning"}
        with serving_process(SERVE, port, database, env=env):
            (supervisor,) = [p for p in _children(os.getpid()) if _children(p)]
            deadline = time.monotonic() + 30  # the second worker may still be starting
            while len(_listening_inodes(port)) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
            listening = _listening_inodes(port)
            assert len(listening) == 2
            assert not _socket_inodes(supervisor) & listening
            # Its children are the two workers and multiprocessing's resource tracker.
            held = [_socket_inodes(child) & listening for child in _children(supervisor)]
            assert sorted(sorted(inodes) for inodes in held if inodes) == [
                [inode] for inode in sorted(listening)
            ]
