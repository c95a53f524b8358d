"""Running the application under uvicorn, as `congress-api serve` does.

With several workers on Linux, each worker listens on a socket of its own at the same address
(SO_REUSEPORT), and the kernel spreads new connections over them. uvicorn's way, one socket that
every worker accepts from, let whichever worker woke first take a client's keep-alive
connections and keep them: two workers on PostgreSQL served 1.0x to 1.6x one worker's rate from
one run to the next, as the connections happened to fall (bench/RESULTS.md).
"""

import asyncio
import logging
import socket
import sys
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

STARTUP_FAILURE = 3  # uvicorn's own exit status when the application does not start
REUSE_PORT = sys.platform == "linux"  # elsewhere SO_REUSEPORT does not spread connections

logger = logging.getLogger("uvicorn.error")


class _Config(uvicorn.Config):
    def bind_socket(self) -> socket.socket:
        """The socket the supervisor binds and hands to every worker.

        On Linux it only holds the address, with SO_REUSEPORT, and is never listened on: each
        worker's `WorkerLoop` listens on a socket of its own there. Elsewhere the workers
        listen on this one together."""
        if not REUSE_PORT or self.uds is not None or self.fd is not None:
            return _no_delay(super().bind_socket())
        family = socket.AF_INET6 if self.host and ":" in self.host else socket.AF_INET
        address = (self.host, self.port)
        try:
            # SO_REUSEPORT would let this bind share the port with another server of the same
            # user, which would then take part of the traffic: bind it alone first, so a port
            # already in use fails the start as it does with one worker.
            with _socket(family, reuse_port=False) as probe:
                probe.bind(address)
            sock = _socket(family, reuse_port=True)
            sock.bind(address)
        except OSError as exc:
            logger.error(exc)
            sys.exit(STARTUP_FAILURE)
        host, port = sock.getsockname()[:2]
        logger.info("Uvicorn running on http://%s:%d (Press CTRL+C to quit)", host, port)
        sock.set_inheritable(True)
        return sock


def _socket(family: socket.AddressFamily, *, reuse_port: bool) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    return sock


def _no_delay(sock: socket.socket) -> socket.socket:
    # asyncio sets TCP_NODELAY only on connections of a socket it made itself (it checks the
    # socket's protocol number, 0 on these), so every response waited for a delayed ACK: 44 ms,
    # and two workers served half one worker's rate. Linux gives the connections it accepts the
    # listening socket's TCP_NODELAY.
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _holds_address_only(sock: socket.socket) -> bool:
    return bool(
        REUSE_PORT
        and sock.family in (socket.AF_INET, socket.AF_INET6)
        and sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT)
        and not sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
    )


class WorkerLoop(asyncio.SelectorEventLoop):
    """asyncio's event loop for one of several workers. Handed the supervisor's socket that
    only holds the address (`_Config.bind_socket`), it serves on a socket of its own bound to
    the same address, so the kernel, not the race to accept, decides which worker takes a
    connection. A worker that exits drops the connections still waiting in its socket's queue
    (unless the `net.ipv4.tcp_migrate_req` sysctl is set); the others' are untouched."""

    async def create_server(
        self, protocol_factory: Any, *args: Any, sock: socket.socket | None = None, **kwargs: Any
    ) -> asyncio.Server:
        if sock is not None and _holds_address_only(sock):
            own = _no_delay(_socket(sock.family, reuse_port=True))
            try:
                own.bind(sock.getsockname())
            except OSError:
                own.close()
                raise
            sock = own
        return await super().create_server(protocol_factory, *args, sock=sock, **kwargs)


def serve(*, workers: int, **options: Any) -> None:
    """`app.main:app` with uvicorn's `options`, on asyncio's event loop (`WorkerLoop` with
    several workers): uvloop starved some connections when the loop was busy (cold reads at 128
    connections waited over 2 s, against a p99 of 94 ms on asyncio's loop at the same rate;
    bench/RESULTS.md)."""
    loop = "app.serving:WorkerLoop" if workers > 1 else "asyncio"
    config = _Config("app.main:app", loop=loop, workers=workers, **options)
    server = uvicorn.Server(config)
    if config.workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
        return
    server.run()
    if not server.started:
        raise SystemExit(STARTUP_FAILURE)
