import { parseArgs } from 'node:util';
import { AppHost } from '../../host/app-host.js';
import { nodeWorkerLauncher } from '../../host/workers/node-worker.js';
import { hasDesktop, openBrowser } from '../../node/browser.js';
import { rendererDir } from '../../node/bundle-paths.js';
import { resolveDataDir } from '../../node/paths.js';
import { reportRecovery, UsageError } from '../context.js';
import { startServer } from '../serve/server.js';

/** `--open`: shows the app in the system browser when someone can see one, and says what happened. */
function offerBrowser(url: string): void {
  if (!hasDesktop()) {
    process.stderr.write('No desktop session here (neither DISPLAY nor WAYLAND_DISPLAY is set), so no browser was opened: open the address above in a browser on this machine.\n');
    return;
  }
  process.stderr.write('Opening it in your browser...\n');
  void openBrowser(url).then((r) => {
    if (!r.opened) process.stderr.write(`Could not open a browser (${r.reason}): open the address above yourself.\n`);
  });
}

export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { port: { type: 'string', default: '0' }, open: { type: 'boolean', default: false } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number (0 picks a free one).`);
  const host = new AppHost({ dataDir: resolveDataDir(), launcher: nodeWorkerLauncher(), transport: 'web', resumeIndexing: true });
  reportRecovery(host);
  host.worker.start();
  const server = await startServer(host, { port, rendererDir: rendererDir() });
  process.stdout.write(`Opscope is serving on 127.0.0.1 only. Open:\n  ${server.url}\n`);
  process.stderr.write(`data folder: ${host.layout.root}\nPress Ctrl+C to stop.\n`);
  if (values.open) offerBrowser(server.url);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await host.close();
  process.stderr.write('Opscope stopped.\n');
  return 0;
}
