"""Running the application under uvicorn, as `congress-api serve` does."""

import asyncio
import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

STARTUP_FAILURE = 3  # uvicorn's own exit status when the application does not start


class _Config(uvicorn.Config):
    def bind_socket(self) -> socket.socket:
        # With several workers uvicorn binds the socket and hands it to them. asyncio sets
        # TCP_NODELAY only on connections of a socket it made itself (it checks the socket's
        # protocol number, 0 on this one), so every response waited for a delayed ACK: 44 ms,
        # and two workers served half one worker's rate. Linux gives the connections it accepts
        # the listening socket's TCP_NODELAY.
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock


class SharedSocketLoop(asyncio.SelectorEventLoop):
    """asyncio's event loop for a worker that shares its listening socket with others: it
    takes at most ACCEPT_BATCH new connections each time the socket is ready.

    All the workers wake when connections arrive, and asyncio's own loop accepts every pending
    one at once, so the first awake took most of a client's keep-alive connections and kept
    them: CPU split 2:7 between two workers, which served no more than one. One connection per
    wakeup shared them evenly but left a burst of 128 new connections waiting to be accepted
    (p99 0.7 s); four shared them as evenly in most runs (3:3, 6:5), with a p99 of 0.16 s at
    128 connections (bench/RESULTS.md)."""

    ACCEPT_BATCH = 4

    def _accept_connection(
        self,
        protocol_factory: Any,
        sock: socket.socket,
        sslcontext: Any = None,
        server: Any = None,
        backlog: int = 100,
        *timeouts: Any,
    ) -> None:
        # `backlog` is how many connections one call accepts; the socket's listen queue keeps
        # its length (set by `_start_serving`).
        super()._accept_connection(  # type: ignore[misc]
            protocol_factory, sock, sslcontext, server, self.ACCEPT_BATCH, *timeouts
        )


def serve(*, workers: int, **options: Any) -> None:
    """`app.main:app` with uvicorn's `options`, on asyncio's event loop (`SharedSocketLoop`
    when several workers share the socket): uvloop starved some connections when the loop was
    busy (cold reads at 128 connections waited over 2 s, against a p99 of 94 ms on asyncio's
    loop at the same rate; bench/RESULTS.md)."""
    loop = "app.serving:SharedSocketLoop" if workers > 1 else "asyncio"
    config = _Config("app.main:app", loop=loop, workers=workers, **options)
    server = uvicorn.Server(config)
    if config.workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
        return
    server.run()
    if not server.started:
        raise SystemExit(STARTUP_FAILURE)
