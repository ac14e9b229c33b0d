/**
 * What one call through koffi costs, beside a plain JavaScript call: libc's `abs` (no system call:
 * the FFI's own price), `getpid` (the cheapest system call), a non-blocking `recv` with nothing to read (it returns -1, EAGAIN: what a busy loop pays for
 * nothing), the binding's `Socket.recv` on the same socket (it throws BlockingIOError), and copying
 * 64 bytes out of a shared buffer (what every `recv` of the binding does); and, where there is a C
 * compiler, `getpid` from C, the baseline a system call through koffi is held to.
 *
 * Each figure is the median of several batches, in nanoseconds per call.
 */
import koffi from 'koffi';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { socketpair } from '../fixtures/native/index.ts';
import { libc } from '../fixtures/native/libc.ts';
import { platform } from '../fixtures/native/platform.ts';

const abs = koffi.load(platform.libc).func('int abs(int)');

/** Calls `body` in batches of about `batchMs` each (1,000 calls at a time, so the clock costs nothing). */
function nsPerCall(body: (i: number) => unknown, batches: number, batchMs: number): number {
  const perBatch: number[] = [];
  let sink = 0;
  for (let batch = 0; batch < batches + 1; batch++) {
    const start = process.hrtime.bigint();
    const end = start + BigInt(batchMs * 1e6);
    let calls = 0;
    let now = start;
    while (now < end) {
      for (let i = 0; i < 1000; i++) if (body(i) === sink) sink++;
      calls += 1000;
      now = process.hrtime.bigint();
    }
    const ns = Number(now - start) / calls;
    if (batch > 0) perBatch.push(ns); // the first batch only warms up the JIT
  }
  perBatch.sort((a, b) => a - b);
  return Math.round(perBatch[perBatch.length >> 1]! * 10) / 10;
}

/** A plain function the JIT may not inline away, so the figure is a real call. */
const plain: (x: number) => number = new Function('x', 'return x + 1') as (x: number) => number;

/**
 * `getpid()` from C, timed the same way (bench/peers/getpid.c, built with the machine's `cc`): what a
 * system call costs here without any FFI. Undefined where there is no C compiler.
 */
export function cGetpidNs(quick: boolean): number | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'kata-getpid-'));
  try {
    const program = join(dir, 'getpid');
    const built = spawnSync('cc', ['-O2', '-o', program, join(import.meta.dirname, 'peers', 'getpid.c')], { stdio: 'ignore' });
    if (built.status !== 0) return undefined;
    const [batches, batchMs] = quick ? [3, 20] : [7, 60];
    const run = spawnSync(program, [String(batches), String(batchMs)], { encoding: 'utf8' });
    const ns = Number(run.stdout.trim());
    return run.status === 0 && Number.isFinite(ns) ? ns : undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function measureFfi(quick: boolean): Record<string, number> {
  const [batches, batchMs] = quick ? [3, 20] : [7, 60];
  const perCall = (body: (i: number) => unknown) => nsPerCall(body, batches, batchMs);
  const [a, b] = socketpair();
  a.setBlocking(false);
  const buffer = Buffer.alloc(64 * 1024);
  const shared = Buffer.alloc(64, 'x');
  const cGetpid = cGetpidNs(quick);
  try {
    return {
      jsCall: perCall((i) => plain(i)),
      koffiAbs: perCall((i) => abs(-i)),
      getpid: perCall(() => libc.getpid()),
      recvEagain: perCall(() => libc.recv(a.fileno(), buffer, buffer.length, 0)),
      socketRecvThrows: perCall(() => {
        try {
          return a.recv(4096);
        } catch (error) {
          return error;
        }
      }),
      copy64: perCall(() => Buffer.from(shared.subarray(0, 64))),
      ...(cGetpid !== undefined && { cGetpid }),
    };
  } finally {
    a.close();
    b.close();
  }
}
