/*
 * The media protocol (app-media:// in the desktop app, /media/ in the Node host, both through
 * MediaFiles) serves registered recordings and derived files by id, and nothing else: not a path
 * with dots or encoded separators, not a derived file that is a symlink out of the data folder,
 * not the media of a deleted case.
 */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaFiles } from '../../main/host/cases/media-files.js';
import { Store } from '../../main/host/store/store.js';
import { DataLayout } from '../../main/node/paths.js';
import { tempHome } from '../support/cli.js';
import { fakePart } from '../support/feedback.js';

describe('media by id only', () => {
  let home: string;
  let layout: DataLayout;
  let store: Store;
  let media: MediaFiles;
  let caseId: string;
  let partId: string;
  let secret: string;

  const status = (path: string) => {
    const r = media.respond(path, null);
    r.body?.on('error', () => undefined).destroy();
    return r.status;
  };
  const body = async (path: string) => {
    const r = media.respond(path, null);
    const chunks: Buffer[] = [];
    for await (const c of r.body!) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString();
  };

  beforeAll(() => {
    home = tempHome('opscope-media-');
    layout = new DataLayout(join(home, 'data'));
    store = new Store(layout.database);
    media = new MediaFiles(store, layout);
    secret = join(home, 'secret.txt');
    writeFileSync(secret, 'not for the page');
    const recording = join(home, 'recordings', 'case.mp4');
    mkdirSync(join(home, 'recordings'), { recursive: true });
    writeFileSync(recording, 'the recording');
    const created = store.createCase('Case', [{ ...fakePart('case.mp4', 10), path: recording }]);
    caseId = created.caseId;
    partId = created.partIds[0]!;
    const pid = partId;
    mkdirSync(layout.thumbsDir(caseId, pid), { recursive: true });
    writeFileSync(join(layout.thumbsDir(caseId, pid), 'sheet-0000.jpg'), 'sheet zero');
    symlinkSync(secret, join(layout.thumbsDir(caseId, pid), 'sheet-0001.jpg'));
    store.finishPartIndex(pid, {}, {
      tileWidth: 16, tileHeight: 9, columns: 1, rows: 1, times: [0, 1, 2, 3],
      sheets: [{ file: 'sheet-0000.jpg', count: 1 }, { file: 'sheet-0001.jpg', count: 1 }, { file: '../../../../../secret.txt', count: 1 }],
    });
    mkdirSync(layout.framesDir(caseId, pid), { recursive: true });
    writeFileSync(layout.frame(caseId, pid, 3), 'frame three');
    symlinkSync(secret, layout.frame(caseId, pid, 4));
    // The agent frames folder itself made a link to a folder outside.
    mkdirSync(join(home, 'elsewhere'), { recursive: true });
    writeFileSync(join(home, 'elsewhere', '1-2-3.png'), 'outside');
    symlinkSync(join(home, 'elsewhere'), layout.agentFramesDir(caseId, pid));
  });

  afterAll(() => {
    store.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('serves the registered recording and the derived files of its part', async () => {
    expect(await body(`/part/${partId}`)).toBe('the recording');
    expect(await body(`/thumbs/${partId}/0`)).toBe('sheet zero');
    expect(await body(`/frame/${partId}/3`)).toBe('frame three');
  });

  it('refuses dots, encoded separators and anything not shaped like an id', () => {
    for (const path of [
      `/part/${partId}/..`, `/part/${partId}/../../secret.txt`, '/part/..', '/part/../../secret.txt', `/part/..%2f..%2fsecret.txt`,
      `/part/${partId}%2f..%2f..`, `/thumbs/${partId}/0/../../../secret.txt`, `/thumbs/${partId}/%2e%2e`, `/frame/${partId}/..%2f4`,
      `/frame/${partId}/3.png`, `/agent-frame/${partId}/../1-2-3`, `/agent-frame/${partId}/..%5c1-2-3`, `/part/${partId}%00`,
      `/part/${partId}\\..\\..`, `//part/${partId}`, `/PART/${partId}`, `/part/${partId}?x=1`, '/part/', '/', '', `/part/ab`,
      `/part/${'a'.repeat(65)}`, '/part/%2e%2e%2f%2e%2e%2fetc%2fpasswd', `/thumbs/${partId}/-1`, `/frame/${partId}/1e3`,
    ]) {
      expect(status(path), path).toBe(404);
    }
  });

  it('refuses derived files that lead out of the data folder: symlinks and tampered names', () => {
    expect(status(`/thumbs/${partId}/1`)).toBe(404);
    expect(status(`/thumbs/${partId}/2`)).toBe(404);
    expect(status(`/frame/${partId}/4`)).toBe(404);
    expect(status(`/agent-frame/${partId}/1-2-3`)).toBe(404);
  });

  it('refuses ids of a deleted case, and unknown ids', () => {
    expect(status(`/part/${partId}`)).toBe(200);
    store.deleteCase(caseId);
    expect(status(`/part/${partId}`)).toBe(404);
    expect(status(`/thumbs/${partId}/0`)).toBe(404);
    expect(status(`/frame/${partId}/3`)).toBe(404);
    expect(status('/part/abcdefgh')).toBe(404);
  });
});
