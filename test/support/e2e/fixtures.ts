import { test as base } from '@playwright/test';
import { startServer, type Served } from './server.js';

/** Each test gets its own `opscope serve` with an empty data folder. */
export const test = base.extend<{ server: Served }>({
  // Playwright reads fixture dependencies from this destructuring; this fixture has none.
  // eslint-disable-next-line no-empty-pattern
  server: async ({}, use, testInfo) => {
    const server = await startServer();
    try {
      await use(server);
    } finally {
      if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach('opscope-serve.log', { body: server.log(), contentType: 'text/plain' });
      await server.stop();
    }
  },
});

export { expect } from '@playwright/test';
