import { parseArgs } from 'node:util';
import { AppHost } from '../../host/app-host.js';
import { nodeWorkerLauncher } from '../../host/workers/node-worker.js';
import { rendererDir } from '../../node/bundle-paths.js';
import { resolveDataDir } from '../../node/paths.js';
import { reportRecovery, UsageError } from '../context.js';
import { startServer } from '../serve/server.js';


export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { port: { type: 'string', default: '0' } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number (0 picks a free one).`);
  const host = new AppHost({ dataDir: resolveDataDir(), launcher: nodeWorkerLauncher(), transport: 'web', resumeIndexing: true });
  reportRecovery(host);
  host.worker.start();
  const server = await startServer(host, { port, rendererDir: rendererDir() });
  process.stdout.write(`Opscope is serving on 127.0.0.1 only. Open:\n  ${server.url}\n`);
  process.stderr.write(`data folder: ${host.layout.root}\nPress Ctrl+C to stop.\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await host.close();
  return 0;
}
