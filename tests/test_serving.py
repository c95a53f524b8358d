"""How `congress-api serve` runs uvicorn (app.serving)."""

import asyncio
import socket

from app.serving import SharedSocketLoop, _Config


def test_connections_to_the_shared_socket_of_several_workers_send_without_delay() -> None:
    """The socket uvicorn binds for its workers has TCP_NODELAY, and so has every connection it
    accepts: otherwise each response of a worker waits for the client's delayed ACK."""
    listener = _Config("app.main:app", host="127.0.0.1", port=0, workers=2).bind_socket()
    listener.listen()  # as each worker's server does with it
    with listener, socket.create_connection(listener.getsockname()):
        accepted, _address = listener.accept()
        with accepted:
            assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_workers_sharing_a_socket_take_a_few_new_connections_at_a_time() -> None:
    """Each readiness of a shared socket is at most ACCEPT_BATCH accepts: the connections still
    pending are left for the next (or for another worker)."""
    accepted: list[asyncio.BaseTransport] = []

    class Accepted(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            accepted.append(transport)

    loop = SharedSocketLoop()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    clients = [socket.create_connection(listener.getsockname()) for _ in range(6)]
    try:
        loop._accept_connection(Accepted, listener, None, None, 100)
        loop.run_until_complete(asyncio.sleep(0.01))
        assert len(accepted) == SharedSocketLoop.ACCEPT_BATCH == 4
        pending = 0
        while True:
            try:
                conn, _address = listener.accept()
            except BlockingIOError:
                break
            conn.close()
            pending += 1
        assert pending == 2
    finally:
        for transport in accepted:
            transport.close()
        loop.run_until_complete(asyncio.sleep(0))
        for client in clients:
            client.close()
        listener.close()
        loop.close()
