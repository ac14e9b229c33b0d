import { describe } from 'vitest';
import { echoServerGuarantees } from '../../fixtures/harness/echo-suite.ts';

const server = new URL('./server.ts', import.meta.url);

describe('02-select: an event loop over select()', () => {
  echoServerGuarantees(server, { wait: 'select()' });
});
