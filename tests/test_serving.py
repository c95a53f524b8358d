"""How `congress-api serve` runs uvicorn (app.serving)."""

import socket

from app.serving import _Config


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
