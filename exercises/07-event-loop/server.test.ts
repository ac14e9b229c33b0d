import { describe } from 'vitest';
import { echoServerGuarantees } from '../../fixtures/harness/echo-suite.ts';

const server = new URL('./server.ts', import.meta.url);

describe('07-event-loop: the echo server on your loop', () => {
  echoServerGuarantees(server, { wait: 'runOnce() (its selector.select())' });
});
