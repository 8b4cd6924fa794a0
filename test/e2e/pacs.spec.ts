import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bitstreamOf, TS, writeDicomVideo } from '../support/dicom.js';
import { syntheticVideo } from '../support/media.js';
import { findOrthanc, startOrthanc } from '../support/orthanc.js';
import { expect, test } from '../support/e2e/fixtures.js';
import { shot } from '../support/e2e/flow.js';

const found = findOrthanc();
const STUDY = '1.2.826.0.1.3680043.10.1100.300';

test.describe('opening a study from the PACS in the window', () => {
  test.skip('missing' in found, 'missing' in found ? found.missing : '');

  test('search by patient, retrieve with progress, patient details only when asked, the status bar flag for a remote PACS', async ({ page, server }) => {
    if ('missing' in found) return;
    const work = mkdtempSync(join(tmpdir(), 'opscope-e2e-pacs-'));
    const orthanc = await startOrthanc(found);
    try {
      const video = await syntheticVideo({ duration: 8, width: 320, height: 240, fps: 25, gop: 2, events: [], seed: 81 });
      const file = writeDicomVideo(join(work, 'IM000001'), {
        bitstream: await bitstreamOf(video, 'h264', join(work, 'v.ts')), transferSyntax: TS.h264,
        studyUid: STUDY, seriesUid: `${STUDY}.1`, sopUid: `${STUDY}.1.1`, rows: 240, columns: 320, frames: 200,
      });
      expect((await orthanc.rest('/instances', { method: 'POST', body: readFileSync(file) })).status).toBe(200);

      await page.goto(server.url);
      await expect(page.getByTestId('app')).toHaveAttribute('data-booted', 'true');
      const settings = page.getByTestId('settings');
      await page.getByTestId('settings-button').click();
      await settings.getByTestId('pacs-url').fill(orthanc.dicomweb);
      await expect(settings.getByTestId('pacs-remote')).toHaveCount(0);
      await settings.getByRole('button', { name: 'Save' }).click();
      await expect(settings).toBeHidden();
      await expect(page.getByTestId('status-pacs-remote')).toHaveCount(0);

      await page.getByTestId('open-recordings').click();
      await page.getByTestId('open-pacs').click();
      const dialog = page.getByTestId('pacs-dialog');
      await dialog.getByTestId('pacs-patient-id').fill('PAT-0042');
      await dialog.getByTestId('pacs-search').click();
      const row = dialog.getByTestId('pacs-study');
      await expect(row).toHaveCount(1);
      await expect(row).toContainText('Doe, Jane');
      await expect(row).toContainText('Colonoscopy');
      await expect(row).toContainText('2024-05-02');
      await shot(page, 'pacs-search');

      await row.getByTestId('pacs-retrieve').click();
      await expect(dialog).toBeHidden();
      const panel = page.getByTestId('case-panel');
      await expect(panel).toBeVisible();
      await expect(page.getByTestId('case-title')).toHaveText('ES · Colonoscopy · 2024-05-02');
      // The patient is not shown until asked for.
      const patient = panel.getByTestId('patient-details');
      await expect(patient).not.toContainText('Doe');
      await patient.getByTestId('patient-toggle').check();
      await expect(patient.getByTestId('patient-shown')).toContainText('Doe, Jane');
      await expect(patient.getByTestId('patient-shown')).toContainText('PAT-0042');
      await shot(page, 'pacs-case-patient');
      await patient.getByTestId('patient-toggle').uncheck();
      await expect(patient).not.toContainText('Doe');

      // The library says it has the study now.
      await page.getByTestId('open-recordings').click();
      await page.getByTestId('open-pacs').click();
      await dialog.getByTestId('pacs-search').click();
      await expect(dialog.getByTestId('pacs-open')).toBeVisible();
      await dialog.getByRole('button', { name: 'Close', exact: true }).getByText('Close').click();

      await page.getByTestId('settings-button').click();
      await settings.getByTestId('pacs-url').fill('https://pacs.hospital.example/dicom-web');
      await expect(settings.getByTestId('pacs-remote')).toBeVisible();
      await settings.getByTestId('pacs-settings').scrollIntoViewIfNeeded();
      await shot(page, 'pacs-settings');
      await settings.getByRole('button', { name: 'Save' }).click();
      await expect(page.getByTestId('status-pacs-remote')).toHaveText(/PACS off this machine → pacs\.hospital\.example \(not allowed\)/);
      await shot(page, 'pacs-remote-flag');
    } finally {
      await orthanc.stop();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
