// The benchmark page as a person uses it: pick a model and an engine, run, get a table and a chart.
import { expect, test } from '@playwright/test';

test('the benchmark page measures a committed model on the CPU engine and draws the chart', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto('/bench.html');
  const models = page.locator('input[type=checkbox][value$="-popularity"]');
  await expect(models.first()).toBeVisible();
  // Only the first popularity model (cheap) and only the CPU engine: this checks the page, not the engines.
  for (const box of await page.locator('input[type=checkbox]').all()) await box.uncheck();
  await models.first().check();
  await page.locator('input[type=checkbox][value=cpu]').check();
  await page.getByLabel('Sessions').fill('20');
  await page.getByTestId('bench-run').click();
  await expect(page.getByTestId('bench-log')).toHaveText(/^Done: 1 measurements/, { timeout: 60_000 });
  const cells = page.getByTestId('bench-results').locator('tbody tr').first().locator('td');
  await expect(cells.nth(1)).toHaveText('cpu');
  // p50 is a measured number of milliseconds, and the chart has its bar.
  await expect(cells.nth(2)).toHaveText(/^\d+(\.\d+)? ms$/);
  await expect(cells.nth(10)).toHaveText(/^20 \((test\.txt|popularity-sampled)\)$/);
  await expect(page.locator('.bench-output svg').first()).toBeVisible();
  expect(errors).toEqual([]);
});
