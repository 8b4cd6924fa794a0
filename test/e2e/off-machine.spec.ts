import { expect, test } from '../support/e2e/fixtures.js';
import { shot } from '../support/e2e/flow.js';

test.describe('the status bar says when frames would leave the machine', () => {
  test('a remote model server is flagged for as long as it is the backend; local ones are not', async ({ page, server }) => {
    await page.goto(server.url);
    const bar = page.getByTestId('status-bar');
    await expect(page.getByTestId('app')).toHaveAttribute('data-booted', 'true');
    await expect(bar.getByTestId('status-off-machine')).toHaveCount(0);

    const choose = async (baseUrl: string, allowRemote: boolean) => {
      await page.getByTestId('settings-button').click();
      const dialog = page.getByTestId('settings');
      await dialog.getByTestId('backend-openai').check();
      await dialog.getByTestId('openai-base-url').fill(baseUrl);
      await dialog.getByTestId('openai-model').fill('medscope-7b');
      if (allowRemote) await dialog.getByTestId('openai-remote').locator('input').check();
      await dialog.getByRole('button', { name: 'Save' }).click();
      await expect(dialog).toBeHidden();
    };

    await choose('http://127.0.0.1:8000/v1', false);
    await expect(bar.getByTestId('status-off-machine')).toHaveCount(0);

    await choose('https://gpu.example.org:8443/v1', true);
    await expect(bar.getByTestId('status-off-machine')).toHaveText(/Frames leave this machine → gpu\.example\.org:8443/);
    // Still there after a reload: it reflects the stored settings, not a moment in the dialog.
    await page.reload();
    await expect(page.getByTestId('status-bar').getByTestId('status-off-machine')).toBeVisible();

    await page.getByTestId('settings-button').click();
    await page.getByTestId('settings').getByTestId('backend-scout').check();
    await page.getByTestId('settings').getByRole('button', { name: 'Save' }).click();
    await expect(page.getByTestId('status-bar').getByTestId('status-off-machine')).toHaveCount(0);
  });
});

test.describe('the audit log in the window', () => {
  test('lists who changed the settings and exports the log', async ({ page, server }) => {
    await page.goto(server.url);
    await expect(page.getByTestId('app')).toHaveAttribute('data-booted', 'true');
    await page.getByTestId('settings-button').click();
    const settings = page.getByTestId('settings');
    await settings.getByPlaceholder('e.g. Dr. A. Meyer').fill('Dr E2E');
    await settings.getByRole('button', { name: 'Save' }).click();
    await expect(settings).toBeHidden();
    // Saved once more under the name now set: the log names who made each change.
    await page.getByTestId('settings-button').click();
    await settings.getByRole('radio', { name: 'Light' }).check();
    await settings.getByRole('button', { name: 'Save' }).click();
    await expect(settings).toBeHidden();

    await page.getByTestId('settings-button').click();
    await settings.getByTestId('open-audit').click();
    const dialog = page.getByTestId('audit-dialog');
    await expect(dialog).toBeVisible();
    const rows = dialog.getByTestId('audit-row');
    await expect(rows.first()).toContainText('Dr E2E');
    await expect(rows.first()).toContainText('Changed settings: theme');
    await expect(rows.nth(1)).toContainText(/user\s*Changed settings: reviewerName/);
    await expect(dialog.getByTestId('audit-out')).toHaveValue(/exports[\\/]opscope-audit-\d{4}-\d{2}-\d{2}\.csv$/);
    await dialog.getByTestId('audit-export').click();
    await expect(dialog.getByTestId('audit-export-result')).toContainText(/Wrote \d+ entries/);
    await shot(page, 'audit-log');
    // The export itself is now the newest entry.
    await expect(rows.first()).toContainText('Exported the audit log');
  });
});
