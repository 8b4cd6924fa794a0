import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_NAME = 'Opscope';

/**
 * The folder Electron calls `userData` for this app, computed without Electron so that the CLI,
 * the Node host and the desktop app share one store by default.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME);
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), APP_NAME);
}

/** OPSCOPE_HOME wins; otherwise the app's user-data folder. */
export function resolveDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.OPSCOPE_HOME ? env.OPSCOPE_HOME : defaultDataDir(env);
}

/** Where derived files live inside the data directory. Never beside the user's recordings. */
export class DataLayout {
  constructor(readonly root: string) {}
  get database(): string {
    return join(this.root, 'opscope.db');
  }
  /** Automatic backups of the database (see host/store/backup.ts). */
  get backups(): string {
    return join(this.root, 'backups');
  }
  /** Debug logs (see node/ffmpeg/command-log.ts). */
  get logs(): string {
    return join(this.root, 'logs');
  }
  /** Every ffmpeg and ffprobe command line run for this data folder, with its outcome. */
  get ffmpegLog(): string {
    return join(this.logs, 'ffmpeg.log');
  }
  get tmp(): string {
    return join(this.root, 'tmp');
  }
  get demo(): string {
    return join(this.root, 'demo');
  }
  /** Where the app proposes to write teaching clips and training sets. */
  get exports(): string {
    return join(this.root, 'exports');
  }
  /** Video bit streams of DICOM instances, remuxed to MP4 and named by SOP Instance UID. */
  get dicomVideos(): string {
    return join(this.root, 'dicom', 'video');
  }
  /** Instances retrieved from the PACS: pacs/<Study UID>/<Series UID>/<SOP Instance UID>.dcm. */
  get pacs(): string {
    return join(this.root, 'pacs');
  }
  partDir(caseId: string, partId: string): string {
    return join(this.root, 'media', caseId, partId);
  }
  caseDir(caseId: string): string {
    return join(this.root, 'media', caseId);
  }
  thumbsDir(caseId: string, partId: string): string {
    return join(this.partDir(caseId, partId), 'thumbs');
  }
  thumbSheet(caseId: string, partId: string, sheet: number): string {
    return join(this.thumbsDir(caseId, partId), `sheet-${String(sheet).padStart(4, '0')}.jpg`);
  }
  framesDir(caseId: string, partId: string): string {
    return join(this.partDir(caseId, partId), 'frames');
  }
  frame(caseId: string, partId: string, frameIndex: number): string {
    return join(this.framesDir(caseId, partId), `${frameIndex}.png`);
  }
  /**
   * Frames made for the agent (model-sized or full, with the case time drawn on them). The media
   * layer serves only files inside this folder for agent frame refs.
   */
  agentFramesDir(caseId: string, partId: string): string {
    return join(this.partDir(caseId, partId), 'agent-frames');
  }
  agentFrame(caseId: string, partId: string, name: string): string {
    return join(this.agentFramesDir(caseId, partId), `${name}.jpg`);
  }
  /** Where earlier versions wrote agent frames (as PNG): runs stored then still show theirs. */
  legacyAgentFrame(caseId: string, partId: string, name: string): string {
    return join(this.agentFramesDir(caseId, partId), `${name}.png`);
  }
  proxy(caseId: string, partId: string): string {
    return join(this.partDir(caseId, partId), 'proxy.mp4');
  }
}
