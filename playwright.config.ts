import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests: the real UI in Chromium against the Node host (`opscope serve`), and the
 * same flow in the Electron shell where an Electron binary is installed. Browsers are never
 * downloaded: Debian's Chromium is used (OPSCOPE_CHROMIUM points elsewhere).
 */
export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './test/support/e2e/global-setup.ts',
  // One worker: every test starts its own server, whose indexing wants the CPU cores.
  workers: 1,
  fullyParallel: false,
  timeout: 180_000,
  expect: { timeout: 20_000 },
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    headless: true,
    viewport: { width: 1440, height: 900 },
    actionTimeout: 15_000,
    launchOptions: {
      executablePath: process.env.OPSCOPE_CHROMIUM || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--autoplay-policy=no-user-gesture-required',
      ],
    },
    trace: 'retain-on-failure',
  },
});
