import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { writeTinyVlm } from '../support/tiny-vlm.js';
import { e2eMedia } from '../support/e2e/env.js';
import { expect, test } from '../support/e2e/fixtures.js';
import { importRecordings, shot } from '../support/e2e/flow.js';

const ANSWER =
  '<think>Red spreads over the field at about 6 s.</think>' +
  '<answer>{"answer": "Bleeding starts at 00:00:06.", "evidence": [{"start": 6, "end": 12, "frames": [7], "claim": "blood pools in the field"}]}</answer>';
const LOOK = '<think>Look closer.</think><tool_call>{"name": "crop_video", "arguments": {"start": 4, "end": 14}}</tool_call>';
const LONG = `<think>${Array.from({ length: 3000 }, (_, i) => `w${i}`).join(' ')}</think><answer>{"answer": "late", "evidence": []}</answer>`;

let models: string;
test.beforeAll(async () => {
  models = mkdtempSync(join(tmpdir(), 'opscope-e2e-models-'));
  for (const [name, reply] of Object.entries({ answer: ANSWER, look: LOOK, long: LONG })) await writeTinyVlm(join(models, name), { reply });
  mkdirSync(join(models, 'bert', 'onnx'), { recursive: true });
  writeFileSync(join(models, 'bert', 'config.json'), JSON.stringify({ model_type: 'bert' }));
});
test.afterAll(() => rmSync(models, { recursive: true, force: true }));

/** Chooses the local model backend with a model folder in the settings dialog. */
async function useLocalModel(page: Page, folder: string, looks?: number): Promise<void> {
  await page.getByTestId('settings-button').click();
  const dialog = page.getByTestId('settings');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('backend-onnx').check();
  await dialog.getByTestId('onnx-model-dir').fill(folder);
  const budget = dialog.getByLabel('Looks at most');
  if (looks === undefined) await budget.fill('');
  else await budget.fill(String(looks));
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
}

async function ask(page: Page, question: string): Promise<Locator> {
  const input = page.getByTestId('ask-input');
  await input.fill(question);
  await page.keyboard.press('Enter');
  const run = page.getByTestId('agent-run').last();
  await expect(run.getByTestId('run-question')).toHaveText(question);
  return run;
}

test.describe('asking with a local model, and runs that end without an answer', () => {
  test('answer with a local model; stop a run; see the budget and a failure said plainly', async ({ page, server }) => {
    test.setTimeout(240_000);
    const media = e2eMedia();
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(server.url);
    await importRecordings(page, { pasted: [media.part1, media.part2], name: 'Lap chole (local model)' });
    await expect(page.getByTestId('case-view')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('case-item')).toHaveAttribute('data-index-state', 'done', { timeout: 120_000 });
    const panel = page.getByTestId('agent-panel');

    // The settings dialog offers the three backends; the server one warns before frames leave.
    await page.getByTestId('settings-button').click();
    const dialog = page.getByTestId('settings');
    await expect(dialog.getByTestId('backend-scout')).toBeChecked();
    await dialog.getByTestId('backend-openai').check();
    await dialog.getByTestId('openai-base-url').fill('https://gpu.example.org/v1');
    await expect(dialog.getByTestId('openai-remote')).toContainText('patient video frames will leave it');
    await dialog.getByTestId('openai-base-url').fill('http://127.0.0.1:8000/v1');
    await expect(dialog.getByTestId('openai-remote')).toBeHidden();
    await dialog.getByTestId('backend-onnx').check();
    await dialog.getByTestId('onnx-model-dir').fill(join(models, 'answer'));
    await shot(page, 'settings-local-model');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog).toBeHidden();

    // The composer names the backend the next question goes to; a server off the machine is flagged.
    await expect(panel.getByTestId('ask-backend')).toHaveText('onnx · answer');

    // A local model answers; the chip says which model ran where, the detail why not a GPU.
    const answered = await ask(page, 'when does the bleeding start?');
    await expect(answered).toHaveAttribute('data-state', 'answered', { timeout: 60_000 });
    await expect(answered.getByTestId('run-backend')).toHaveText('onnx · answer · CPU');
    await expect(answered.getByTestId('agent-thought').first()).toContainText('Red spreads over the field at about 6 s.');
    await expect(answered.getByTestId('agent-answer')).toContainText('Bleeding starts at 00:00:06.');
    const card = answered.getByTestId('evidence-card').first();
    await expect(card).toHaveAttribute('data-start', '6');
    await expect(card).toHaveAttribute('data-end', '12');
    await shot(page, 'ask-local-model');

    // Stop: a long reply is cut short, and the run says it was stopped.
    await useLocalModel(page, join(models, 'long'));
    const stopped = await ask(page, 'and when does it stop?');
    await expect(stopped.getByTestId('agent-thought').first()).toContainText('w1');
    await panel.getByTestId('ask-stop').click();
    await expect(stopped).toHaveAttribute('data-state', 'canceled', { timeout: 30_000 });
    await expect(stopped).toContainText('stopped');
    await expect(stopped).toContainText(/Stopped before an answer after \d+ looks? and \d+ frames?\./);
    await expect(panel).toHaveAttribute('data-busy', 'false');

    // The budget: two looks, then the run says which budget ran out.
    await useLocalModel(page, join(models, 'look'), 2);
    const budget = await ask(page, 'is there smoke?');
    await expect(budget).toHaveAttribute('data-state', 'budget', { timeout: 60_000 });
    // Two looks ran (with their frames); the third call, after the budget, was refused in its card.
    const looks = budget.locator('[data-testid=tool-card][data-tool=crop_video]');
    expect(await looks.filter({ has: page.getByTestId('agent-frame') }).count()).toBe(2);
    await expect(looks.nth(2).getByTestId('tool-error')).toBeVisible();
    await expect(budget).toContainText(/No answer: the look budget ran out after 2 looks and \d+ frames\./);

    // A folder without a vision-language model: the run fails, saying why.
    await useLocalModel(page, join(models, 'bert'));
    const failed = await ask(page, 'is the camera ever outside?');
    await expect(failed).toHaveAttribute('data-state', 'failed', { timeout: 30_000 });
    await expect(failed).toContainText(/No answer: the run failed — getting the backend "onnx" ready failed: The model in .* is a "bert" model/);
    await shot(page, 'ask-endings');
  });
});
