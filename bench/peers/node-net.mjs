// Node's own echo server (libuv's epoll loop, in C++): the baseline every ratio is measured against.
// Run as a program like the pack's servers: `node node-net.mjs --port 0` prints `listening on 127.0.0.1:PORT`.
import net from 'node:net';

const i = process.argv.indexOf('--port');
const server = net.createServer((socket) => {
  socket.on('data', (data) => socket.write(data));
  socket.on('error', () => socket.destroy());
});
server.listen(i === -1 ? 0 : Number(process.argv[i + 1]), '127.0.0.1', 511, () => {
  console.log(`listening on 127.0.0.1:${server.address().port}`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
