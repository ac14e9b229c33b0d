"""Python's asyncio echo server, the fast way (a Protocol, no streams): an outside peer for the bench."""
import asyncio
import sys


class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


async def main(port):
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Echo, "127.0.0.1", port, backlog=511)
    print(f"listening on 127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
    await server.serve_forever()


port = int(sys.argv[sys.argv.index("--port") + 1]) if "--port" in sys.argv else 0
try:
    asyncio.run(main(port))
except KeyboardInterrupt:
    pass
