import { describe } from 'vitest';
import { echoServerGuarantees } from '../../fixtures/harness/echo-suite.ts';

const echo = new URL('./echo.ts', import.meta.url);

// Flow control (a client that never reads) is proved in flow.test.ts.
describe('10-protocols: the echo server as a protocol', () => {
  echoServerGuarantees(echo, { wait: "the loop's selector" });
});
