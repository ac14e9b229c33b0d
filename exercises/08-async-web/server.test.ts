import { describe } from 'vitest';
import { webServerGuarantees } from '../../fixtures/harness/web-suite.ts';
import { blog, index } from '../00-web-app/views.ts';

const server = new URL('./server.ts', import.meta.url);

describe('08-async-web: the web app on your own loop', () => {
  webServerGuarantees(server, {
    views: { index, blog },
    closer: 'The given session does it (lingeringClose, on the loop) once handleConnection returns: handleConnection must not close the socket itself',
    neverBlock: 'read with yield* sockRecv, so the other tasks run while this one waits.',
  });
});
