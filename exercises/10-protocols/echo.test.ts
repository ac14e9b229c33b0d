import { describe } from 'vitest';
import { concurrentTest, startServer } from '../../fixtures/harness/index.ts';
import { echoServerGuarantees } from '../../fixtures/harness/echo-suite.ts';
import { connectionQueues, HELD_BOUND, KERNEL_QUEUES_MISSING, pausedClient, sendInPieces, untilSettled } from '../../fixtures/harness/flow-control.ts';

const echo = new URL('./echo.ts', import.meta.url);

const MiB = 1024 * 1024;

describe('10-protocols: the echo server as a protocol', () => {
  echoServerGuarantees(echo, { wait: "the loop's selector" });

  // Flow control: the proof reads the kernel's queues of its connection from /proc/net/tcp and works out
  // what the server holds in its own memory.
  concurrentTest('a client that sends and never reads is not read either: the server holds a bounded part of what it sent', async (context) => {
    if (KERNEL_QUEUES_MISSING) return context.skip(KERNEL_QUEUES_MISSING);
    const srv = await startServer(echo);
    const client = await pausedClient(srv);
    const size = 32 * MiB;
    const taken = sendInPieces(client, Buffer.alloc(size, 'x'));
    const queues = () => connectionQueues(srv, client.localPort!);
    // Until the server has stopped reading, or has read everything (then the rest of it is in its memory).
    await untilSettled(() => JSON.stringify([taken(), queues()]));
    const handed = taken();
    const { client: c, server: s } = queues();
    const inKernel = c.unacknowledged + s.unread + s.unacknowledged + c.unread;
    const held = handed - inKernel;
    const echoed = s.unacknowledged + c.unread;
    if (echoed < 64 * 1024 || held > HELD_BOUND) {
      throw new Error(
        `Client sent ${size} bytes and read none of its echo. The kernel took ${handed} of them; its buffers hold ${inKernel} ` +
          `(${c.unacknowledged} not yet taken from the client, ${s.unread} that the server has not read, ${echoed} of echo that ` +
          `the client has not read), so the server holds the other ${held} in its own memory. ` +
          (echoed < 64 * 1024
            ? 'But the server echoed next to nothing: it must read and echo until the client stops reading.'
            : `That must stay under ${HELD_BOUND} bytes: a server that stops reading once the transport holds more than its ` +
              'high-water mark (pauseWriting: pauseReading, until resumeWriting) holds that much and no more, however much a ' +
              'client sends; one that reads on keeps everything, and a few such clients exhaust its memory.') +
          `\n${srv.report()}`,
      );
    }
  }, 40_000);
});
