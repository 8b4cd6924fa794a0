import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeLoad, toVlmMessages } from '../../../../../../main/host/agent/backends/onnx.js';
import { deviceCandidates } from '../../../../../../main/worker/model/devices.js';
import { chooseDtype, readModelFolder } from '../../../../../../main/worker/model/model-folder.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'opscope-model-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const TOKENIZER = { 'tokenizer.json': '{}', 'tokenizer_config.json': '{}' };

describe('model folder', () => {
  it('lists the sessions and the precisions complete for every session', () => {
    const dir = folder({
      'config.json': JSON.stringify({ model_type: 'qwen2_5_vl' }),
      ...TOKENIZER,
      'onnx/vision_encoder.onnx': '',
      'onnx/vision_encoder_fp16.onnx': '',
      'onnx/embed_tokens.onnx': '',
      'onnx/embed_tokens_fp16.onnx': '',
      'onnx/decoder_model_merged_q4f16.onnx': '',
      'onnx/decoder_model_merged_fp16.onnx': '',
      'onnx/decoder_model_merged.onnx': '',
      'onnx/decoder_model_merged.onnx_data': '',
    });
    const f = readModelFolder(dir);
    expect(f).toMatchObject({ modelType: 'qwen2_5_vl', family: 'Qwen2.5-VL' });
    expect(f.sessions).toEqual(['decoder_model_merged', 'embed_tokens', 'vision_encoder']);
    // q4f16 exists for the decoder only: not a precision the whole model can load in.
    expect(f.dtypes).toEqual(['fp32', 'fp16']);
    expect(chooseDtype(f, 'auto', 'cpu')).toBe('fp32');
    expect(chooseDtype(f, 'auto', 'cuda')).toBe('fp16');
    expect(chooseDtype(f, 'fp16', 'cpu')).toBe('fp16');
    expect(() => chooseDtype(f, 'q4f16', 'cpu')).toThrow(/no q4f16 files for every session \(available: fp32, fp16\)/);
  });

  it('says what is wrong with a folder that is not a vision-language export', () => {
    expect(() => readModelFolder('')).toThrow(/set agent\.onnx\.modelDir/);
    expect(() => readModelFolder(join(tmpdir(), 'no-such-model-folder-xyz'))).toThrow(/does not exist or cannot be read/);
    expect(() => readModelFolder(folder({ 'README.md': 'hi' }))).toThrow(/has no readable config\.json/);
    expect(() => readModelFolder(folder({ 'config.json': JSON.stringify({ model_type: 'bert' }), ...TOKENIZER }))).toThrow(
      /a "bert" model; the onnx backend runs vision-language models of these families: Qwen2-VL/,
    );
    expect(() => readModelFolder(folder({ 'config.json': JSON.stringify({ model_type: 'idefics3' }) }))).toThrow(/has no tokenizer\.json/);
    expect(() => readModelFolder(folder({ 'config.json': JSON.stringify({ model_type: 'idefics3' }), ...TOKENIZER }))).toThrow(/has no onnx\/ folder/);
    expect(() => readModelFolder(folder({ 'config.json': JSON.stringify({ model_type: 'smolvlm' }), ...TOKENIZER, 'onnx/readme.txt': '' }))).toThrow(
      /has no \.onnx files/,
    );
  });
});

describe('execution providers to try', () => {
  it('tries the platform GPU provider first and always ends with the CPU', () => {
    expect(deviceCandidates('auto', 'win32', 'x64').map((c) => c.device)).toEqual(['dml', 'cpu']);
    expect(deviceCandidates('auto', 'darwin', 'arm64').map((c) => c.device)).toEqual(['coreml', 'cpu']);
    expect(deviceCandidates('auto', 'linux', 'arm64').map((c) => c.device)).toEqual(['cpu']);
    const linux = deviceCandidates('auto', 'linux', 'x64');
    expect(linux.map((c) => c.device)).toEqual(['cuda', 'cpu']);
    expect(linux[1]!.skip).toBeNull();
  });

  it('uses only the device asked for when one is set', () => {
    expect(deviceCandidates('cuda', 'linux', 'x64')).toEqual([{ device: 'cuda', skip: null }]);
  });
});

describe('the chat as the model worker takes it', () => {
  it('keeps text and turns each image into its frame file, in order', () => {
    const out = toVlmMessages([
      { role: 'system', content: 'You look at surgical video.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Frame at 00:00:07:' },
          { type: 'image_url', image_url: { url: '/data/agent/p1/f7.png' } },
          { type: 'text', text: 'Frame at 00:00:09:' },
          { type: 'image_url', image_url: { url: '/data/agent/p1/f9.png' } },
        ],
      },
    ]);
    expect(out).toEqual([
      { role: 'system', content: [{ type: 'text', text: 'You look at surgical video.' }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Frame at 00:00:07:' },
          { type: 'image', file: '/data/agent/p1/f7.png' },
          { type: 'text', text: 'Frame at 00:00:09:' },
          { type: 'image', file: '/data/agent/p1/f9.png' },
        ],
      },
    ]);
  });

  it('describes a load in one line, with the devices that were not used and why', () => {
    const line = describeLoad(
      { modelType: 'qwen2_5_vl', device: 'cpu', dtype: 'fp32', fallbacks: [{ device: 'cuda', error: 'CUDA libraries not installed' }], loadMs: 2400 },
      'Qwen2.5-VL-3B',
    );
    expect(line).toBe('Qwen2.5-VL-3B fp32 on CPU (not used: CUDA: CUDA libraries not installed), loaded in 2.4 s.');
  });
});
