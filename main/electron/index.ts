import { app, BrowserWindow, dialog, Menu } from 'electron';
import { RENDERER_URL } from '../core/security/electron-policy.js';
import { AppHost } from '../host/app-host.js';
import { VIDEO_EXTENSIONS } from '../host/cases/browse.js';
import { preloadPath, rendererDir, workerEntryPath } from '../node/bundle-paths.js';
import { APP_NAME, resolveDataDir } from '../node/paths.js';
import { registerIpc } from './ipc.js';
import { electronSqliteBinding } from './native-binding.js';
import { registerProtocols } from './protocols.js';
import { registerSchemes } from './schemes.js';
import { installSecurityGuards } from './security.js';
import { utilityWorkerLauncher } from './utility-worker.js';

/**
 * The desktop shell: windows, security, protocols and IPC around the same AppHost that the Node
 * host and the CLI use. Nothing heavy runs here.
 */
app.setName(APP_NAME);
registerSchemes();
if (!app.requestSingleInstanceLock()) app.quit();

let window: BrowserWindow | null = null;

async function pickFiles(): Promise<string[]> {
  const options = {
    title: 'Open recordings',
    properties: ['openFile', 'multiSelections'] as ('openFile' | 'multiSelections')[],
    filters: [
      { name: 'Recordings', extensions: [...VIDEO_EXTENSIONS].map((e) => e.slice(1)) },
      { name: 'All files', extensions: ['*'] },
    ],
  };
  const r = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
  return r.canceled ? [] : r.filePaths;
}

function createWindow(): BrowserWindow {
  const w = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    backgroundColor: '#0f1216',
    title: APP_NAME,
    show: false,
    // Literals, not a spread of WEB_PREFERENCES: the scanner (npm run scan) reads only literals.
    // test/unit/main/core/security/electron-policy.test.ts holds them equal to the policy.
    webPreferences: {
      preload: preloadPath(),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      disableBlinkFeatures: 'Auxclick',
      safeDialogs: true,
      spellcheck: false,
    },
  });
  w.once('ready-to-show', () => w.show());
  void w.loadURL(RENDERER_URL);
  return w;
}

async function start() {
  await app.whenReady();
  installSecurityGuards();
  const nativeBinding = electronSqliteBinding();
  const dataDir = process.env.OPSCOPE_HOME ? resolveDataDir() : app.getPath('userData');
  const host = new AppHost({
    dataDir,
    launcher: utilityWorkerLauncher(workerEntryPath()),
    modelLauncher: utilityWorkerLauncher(workerEntryPath(), 'Opscope model worker'),
    recordLauncher: utilityWorkerLauncher(workerEntryPath(), 'Opscope recording worker'),
    transport: 'electron',
    ...(nativeBinding ? { nativeBinding } : {}),
    pickFiles,
    resumeIndexing: true,
  });
  host.worker.start();
  registerProtocols(host, rendererDir());
  registerIpc(host, () => window);
  Menu.setApplicationMenu(null);
  window = createWindow();
  app.on('second-instance', () => {
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) window = createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => {
    void host.close();
  });
}

void start().catch((err: unknown) => {
  dialog.showErrorBox('Opscope could not start', err instanceof Error ? err.message : String(err));
  app.exit(1);
});
