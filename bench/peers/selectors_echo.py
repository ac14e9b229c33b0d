"""Python's selectors echo server, as the course writes it (callbacks in key.data): an outside peer."""
import selectors
import signal
import socket
import sys

selector = selectors.DefaultSelector()


def accept(server):
    client, _ = server.accept()
    client.setblocking(False)
    selector.register(client, selectors.EVENT_READ, echo)


def echo(client):
    try:
        data = client.recv(65536)
    except ConnectionError:
        data = b""
    if data:
        client.sendall(data)  # 64-byte replies: the send buffer never fills in this bench
    else:
        selector.unregister(client)
        client.close()


port = int(sys.argv[sys.argv.index("--port") + 1]) if "--port" in sys.argv else 0
server = socket.create_server(("127.0.0.1", port), backlog=511)
server.setblocking(False)
selector.register(server, selectors.EVENT_READ, accept)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
print(f"listening on 127.0.0.1:{server.getsockname()[1]}", flush=True)
try:
    while True:
        for key, _ in selector.select():
            key.data(key.fileobj)
except KeyboardInterrupt:
    pass
