/*
 * DICOMweb over Node's fetch: QIDO-RS searches, WADO-RS retrieval of single instances (streamed
 * to disk, with progress and an idle timeout), STOW-RS stores. dicomweb-client, the usual
 * JavaScript client, is built on XMLHttpRequest, which Node does not have, and keeps whole
 * responses in memory; the multipart/related bodies are parsed with @remix-run/multipart-parser.
 */
import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { getMultipartBoundary, MultipartParseError, parseMultipartStream } from '@remix-run/multipart-parser';
import { isDicomJsonArray, type DicomJson } from '../../core/dicom/dicom-json.js';
import { OpscopeError } from '../../core/errors.js';

export interface DicomwebAuth {
  kind: 'none' | 'basic' | 'bearer';
  username: string;
  password?: string | undefined;
  token?: string | undefined;
}

export interface RetrieveProgress {
  bytes: number;
  total: number | null;
}

/** A largest instance accepted, bounding what one response may make us write. */
const MAX_INSTANCE_BYTES = 16 * 1024 ** 3;

export class DicomwebClient {
  /** host[:port], for messages. */
  readonly host: string;

  constructor(
    readonly base: string,
    private readonly auth: DicomwebAuth,
    private readonly timeoutMs: number,
  ) {
    this.host = new URL(base).host;
  }

  private headers(extra: Record<string, string>): Record<string, string> {
    const h: Record<string, string> = { ...extra };
    if (this.auth.kind === 'basic') h.authorization = `Basic ${Buffer.from(`${this.auth.username}:${this.auth.password ?? ''}`).toString('base64')}`;
    if (this.auth.kind === 'bearer' && this.auth.token) h.authorization = `Bearer ${this.auth.token}`;
    return h;
  }

  /**
   * One request: the answer's headers must arrive within the timeout. Every failure becomes an
   * error naming the server and what was asked.
   */
  private async request(path: string, what: string, init: { method?: string; headers: Record<string, string>; body?: Uint8Array<ArrayBuffer> }, signal?: AbortSignal): Promise<{ res: Response; abort: AbortController; idle: () => void; done: () => void; timedOut: () => boolean }> {
    const abort = new AbortController();
    const onOuter = () => abort.abort(signal?.reason);
    signal?.addEventListener('abort', onOuter, { once: true });
    let timedOut = false;
    let timer = setTimeout(() => ((timedOut = true), abort.abort()), this.timeoutMs);
    const idle = () => {
      clearTimeout(timer);
      timer = setTimeout(() => ((timedOut = true), abort.abort()), this.timeoutMs);
    };
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onOuter);
    };
    try {
      const res = await fetch(`${this.base}${path}`, {
        method: init.method ?? 'GET',
        headers: this.headers(init.headers),
        ...(init.body ? { body: init.body } : {}),
        signal: abort.signal,
        redirect: 'error',
      });
      idle();
      if (!res.ok && res.status !== 202) {
        const text = (await res.text().catch(() => '')).slice(0, 500);
        done();
        throw refusal(res.status, what, this.host, text);
      }
      return { res, abort, idle, done, timedOut: () => timedOut };
    } catch (err) {
      done();
      throw this.explain(err, what, timedOut, signal);
    }
  }

  explain(err: unknown, what: string, timedOut: boolean, signal?: AbortSignal): OpscopeError {
    if (err instanceof OpscopeError) return err;
    if (signal?.aborted) return new OpscopeError('canceled', `Stopped ${what}.`);
    if (timedOut) return new OpscopeError('timeout', `The PACS at ${this.host} did not answer within ${Math.round(this.timeoutMs / 1000)} s while ${what}.`);
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code ?? '';
    if (code === 'ECONNREFUSED') return new OpscopeError('unavailable', `The PACS at ${this.host} cannot be reached (connection refused): is it running, and is the address in Settings → PACS right?`);
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new OpscopeError('unavailable', `The PACS server name in ${this.host} is not known here.`);
    if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return new OpscopeError('unavailable', `The PACS at ${this.host} closed the connection while ${what}.`);
    return new OpscopeError('unavailable', `The PACS at ${this.host} could not be asked (${cause?.message ?? (err instanceof Error ? err.message : String(err))}) while ${what}.`);
  }

  /** A QIDO-RS search: `path` is /studies, /studies/{uid}/instances... */
  async search(path: string, query: Record<string, string | string[]>, signal?: AbortSignal): Promise<DicomJson[]> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
    const qs = params.toString();
    const what = 'searching';
    const { res, done } = await this.request(`${path}${qs ? `?${qs}` : ''}`, what, { headers: { accept: 'application/dicom+json' } }, signal);
    try {
      if (res.status === 204) return [];
      const text = await res.text();
      if (text.trim() === '') return [];
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new OpscopeError('unavailable', `The PACS at ${this.host} answered a search with something that is not DICOM JSON.`);
      }
      if (!isDicomJsonArray(body)) throw new OpscopeError('unavailable', `The PACS at ${this.host} answered a search with something that is not a list of DICOM JSON objects.`);
      return body;
    } catch (err) {
      throw err instanceof OpscopeError ? err : new OpscopeError('unavailable', `The PACS at ${this.host} stopped answering a search.`);
    } finally {
      done();
    }
  }

  /**
   * WADO-RS: one instance in the transfer syntax it was stored in, streamed to a temporary file,
   * checked complete (its announced length and the closing multipart boundary), then unwrapped
   * to `out`. Nothing is left at `out` unless the instance arrived whole.
   */
  async retrieveInstance(study: string, series: string, sop: string, out: string, onProgress: (p: RetrieveProgress) => void, signal?: AbortSignal): Promise<number> {
    const what = `retrieving instance ${sop}`;
    const { res, idle, done, timedOut } = await this.request(
      `/studies/${study}/series/${series}/instances/${sop}`,
      what,
      { headers: { accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' } },
      signal,
    );
    const download = `${out}.download`;
    const unwrapped = `${out}.${process.pid}.tmp`;
    const announced = Number(res.headers.get('content-length'));
    const total = Number.isFinite(announced) && announced > 0 ? announced : null;
    let bytes = 0;
    try {
      const fh = await open(download, 'w');
      try {
        if (!res.body) throw new OpscopeError('unavailable', `The PACS at ${this.host} sent an empty answer for instance ${sop}.`);
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          idle();
          bytes += chunk.byteLength;
          if (bytes > MAX_INSTANCE_BYTES) throw new OpscopeError('unavailable', `Instance ${sop} is larger than ${MAX_INSTANCE_BYTES / 1024 ** 3} GB; not retrieved.`);
          await fh.write(chunk);
          onProgress({ bytes, total });
        }
      } finally {
        await fh.close();
      }
      if (total !== null && bytes < total) throw halfFile(this.host, sop, bytes, total);
      const type = res.headers.get('content-type') ?? '';
      const bodyBytes = await unwrapDicom(download, type, this.host, sop, bytes);
      await writeAll(unwrapped, bodyBytes);
      await rename(unwrapped, out);
      return bytes;
    } catch (err) {
      await rm(unwrapped, { force: true });
      if (err instanceof OpscopeError) throw err;
      if (signal?.aborted) throw new OpscopeError('canceled', `Stopped ${what}.`);
      if (timedOut()) {
        throw new OpscopeError('timeout', `The PACS at ${this.host} did not answer within ${Math.round(this.timeoutMs / 1000)} s while ${what} (${bytes}${total !== null ? ` of ${total}` : ''} bytes had arrived); nothing of it was kept.`);
      }
      throw total !== null && bytes < total ? halfFile(this.host, sop, bytes, total) : this.explain(err, what, false, signal);
    } finally {
      done();
      await rm(download, { force: true });
    }
  }

  /** STOW-RS: stores DICOM instances; the server's answer must list each as stored. */
  async store(instances: Uint8Array[], signal?: AbortSignal): Promise<DicomJson> {
    const boundary = `opscope-${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
    const parts: Buffer[] = [];
    for (const inst of instances) {
      parts.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`, 'latin1'), Buffer.from(inst), Buffer.from('\r\n', 'latin1'));
    }
    parts.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
    const { res, done } = await this.request(
      '/studies',
      'sending the clip',
      { method: 'POST', headers: { 'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`, accept: 'application/dicom+json' }, body: Buffer.concat(parts) },
      signal,
    );
    try {
      const text = await res.text();
      try {
        return text.trim() ? (JSON.parse(text) as DicomJson) : {};
      } catch {
        throw new OpscopeError('unavailable', `The PACS at ${this.host} answered the store with something that is not DICOM JSON.`);
      }
    } finally {
      done();
    }
  }
}

function refusal(status: number, what: string, host: string, text: string): OpscopeError {
  const said = text.replace(/\s+/g, ' ').trim();
  if (status === 401 || status === 403) {
    return new OpscopeError('unavailable', `The PACS at ${host} refused ${what} (HTTP ${status}): check the user name, password or token in Settings → PACS.`, said);
  }
  if (status === 404) return new OpscopeError('not-found', `The PACS at ${host} does not have what was asked for (HTTP 404) while ${what}: is the DICOMweb root in Settings → PACS right (e.g. …/dicom-web)?`, said);
  if (status === 406 || status === 415) return new OpscopeError('unavailable', `The PACS at ${host} cannot give this in its stored form (HTTP ${status}) while ${what}.`, said);
  return new OpscopeError('unavailable', `The PACS at ${host} refused ${what} (HTTP ${status}).`, said);
}

function halfFile(host: string, sop: string, bytes: number, total: number): OpscopeError {
  return new OpscopeError('unavailable', `The PACS at ${host} sent only part of instance ${sop} (${bytes} of ${total} bytes); nothing of it was kept. Retrieve again to fetch it anew.`);
}

/** The DICOM file inside a WADO-RS answer (multipart/related, or a bare application/dicom body). */
async function unwrapDicom(file: string, contentType: string, host: string, sop: string, size: number): Promise<Uint8Array> {
  let boundary: string | null;
  try {
    boundary = /multipart\//i.test(contentType) ? getMultipartBoundary(contentType) : null;
  } catch {
    boundary = null;
  }
  let bytes: Uint8Array | null = null;
  if (boundary) {
    try {
      const stream = Readable.toWeb(createReadStream(file)) as unknown as ReadableStream<Uint8Array>;
      for await (const part of parseMultipartStream(stream, { boundary, maxParts: 4, maxFileSize: MAX_INSTANCE_BYTES, maxTotalSize: MAX_INSTANCE_BYTES })) {
        if (!bytes) bytes = part.bytes;
      }
    } catch (err) {
      const why = err instanceof MultipartParseError ? err.message : String(err);
      throw new OpscopeError('unavailable', `The PACS at ${host} sent instance ${sop} cut short or malformed (${size} bytes, ${why}); nothing of it was kept.`);
    }
  } else if (/application\/dicom/i.test(contentType)) {
    const { readFile } = await import('node:fs/promises');
    bytes = await readFile(file);
  }
  if (!bytes || bytes.byteLength < 132 || Buffer.from(bytes.subarray(128, 132)).toString('latin1') !== 'DICM') {
    throw new OpscopeError('unavailable', `The PACS at ${host} did not send a DICOM file for instance ${sop} (${contentType || 'no content type'}).`);
  }
  return bytes;
}

async function writeAll(path: string, data: Uint8Array): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}
