// The demo shop as a shopper uses it, in the system Chromium (SPEC §6): whatever committed bundles exist.
import { readBundleDir } from '@session-rec/sdk/bundle/node';
import { expect as baseExpect, test, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';

const modelsDir = fileURLToPath(new URL('../public/models/', import.meta.url));
// A recommend() on SwiftShader, on a loaded 2-core machine, can take a second or two; the first one compiles shaders.
const expect = baseExpect.configure({ timeout: 20_000 });

/** Console errors and uncaught exceptions of a page, collected for the "no console errors" checks. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}

const cardIds = (page: Page, scope: string) =>
  page
    .locator(`${scope} [data-testid=product-card]`)
    .evaluateAll((cards) => cards.map((c) => c.getAttribute('data-item-id')!));
const historyIds = (page: Page) =>
  page.getByTestId('history-item').evaluateAll((items) => items.map((i) => i.getAttribute('data-item-id')!));

async function openShop(page: Page, query = ''): Promise<string> {
  await page.goto(`/${query}`);
  await expect(page.getByTestId('recommendations')).toBeVisible({ timeout: 60_000 });
  return new URL(page.url()).searchParams.get('model')!;
}

test('a shopper clicks through five products; recommendations follow; a reload keeps the session', async ({
  page,
}) => {
  const errors = collectErrors(page);
  await openShop(page);
  await expect(page.getByTestId('anonymised-notice')).toContainText('anonymised');
  await expect(page.getByTestId('status-engine')).toHaveText(/^(webgpu|cpu)$/);

  const clicked: string[] = [];
  let previous = await cardIds(page, '[data-testid=recommendations]');
  for (let step = 0; step < 5; step++) {
    // Click the first recommended product not clicked yet (the strip excludes seen items anyway).
    const card = page.locator('[data-testid=recommendations] [data-testid=product-card]').first();
    const id = (await card.getAttribute('data-item-id'))!;
    await card.click();
    clicked.push(id);
    await expect(page.getByTestId('product')).toHaveAttribute('data-item-id', id);
    await expect(page.locator('[data-testid=recommendations]')).toHaveAttribute('data-mode', 'session');
    await expect(page.getByTestId('history-item')).toHaveCount(clicked.length);
    const current = await cardIds(page, '[data-testid=recommendations]');
    expect(current.length).toBeGreaterThan(0);
    expect(current).not.toEqual(previous);
    for (const seen of clicked) expect(current).not.toContain(seen);
    previous = current;
  }
  expect(await historyIds(page)).toEqual(clicked.slice().reverse());
  await expect(page.getByTestId('status-latency')).toHaveText(/ms$/);

  await expect(page.getByTestId('status-storage')).toHaveText(/stored in IndexedDB/);
  await page.reload();
  // The second load reads the model from IndexedDB, not from the server.
  await expect(page.getByTestId('status-storage')).toHaveText('this browser (stored in IndexedDB)');
  await expect(page.getByTestId('product')).toHaveAttribute('data-item-id', clicked[4]);
  await expect(page.getByTestId('history-item')).toHaveCount(5);
  expect(await historyIds(page)).toEqual(clicked.slice().reverse());
  await expect(page.locator('[data-testid=recommendations]')).toHaveAttribute('data-mode', 'session');
  await expect.poll(() => cardIds(page, '[data-testid=recommendations]')).toEqual(previous);
  expect(errors).toEqual([]);
});

test('an empty session shows the model’s popularity order', async ({ page }) => {
  const errors = collectErrors(page);
  const model = await openShop(page);
  await expect(page.locator('[data-testid=recommendations]')).toHaveAttribute('data-mode', 'popular');
  await expect(page.getByTestId('history')).toContainText('No clicks yet');
  const bundle = await readBundleDir(modelsDir + model);
  const order = bundle.tensors.get('popularity')!.data;
  const shown = await cardIds(page, '[data-testid=recommendations]');
  expect(shown.length).toBe(24);
  expect(shown).toEqual(Array.from(order.subarray(0, 24), (i) => bundle.itemIds(i)));

  // "New session" after some clicks brings the popularity order back.
  await page.locator('[data-testid=product-card]').nth(3).click();
  await expect(page.getByTestId('history-item')).toHaveCount(1);
  await page.getByTestId('new-session').click();
  await expect(page.locator('[data-testid=recommendations]')).toHaveAttribute('data-mode', 'popular');
  await expect(page.getByTestId('history-item')).toHaveCount(0);
  expect(await cardIds(page, '[data-testid=recommendations]')).toEqual(shown);
  expect(errors).toEqual([]);
});

test('the model switcher changes the model, and each model keeps its own session', async ({ page }) => {
  const errors = collectErrors(page);
  const first = await openShop(page);
  const options = await page
    .getByTestId('model-select')
    .locator('option')
    .evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value));
  test.skip(options.length < 2, 'only one committed bundle');
  const second = options.find((o) => o !== first)!;

  await page.locator('[data-testid=product-card]').first().click();
  await expect(page.getByTestId('history-item')).toHaveCount(1);
  const firstSession = await historyIds(page);
  const firstModelText = await page.getByTestId('status-model').innerText();

  await page.getByTestId('model-select').selectOption(second);
  await expect(page).toHaveURL(new RegExp(`model=${second}`));
  await expect(page.getByTestId('recommendations')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('history-item')).toHaveCount(0);
  const secondModel = (await (await page.request.get('/models/index.json')).json()).find(
    (b: { id: string }) => b.id === second,
  );
  await expect(page.getByTestId('status-model')).not.toHaveText(firstModelText);
  await expect(page.getByTestId('status-items')).toHaveText(secondModel.numItems.toLocaleString('en-US'));

  await page.getByTestId('model-select').selectOption(first);
  await expect(page.getByTestId('history-item')).toHaveCount(1);
  expect(await historyIds(page)).toEqual(firstSession);
  // The choice survives a reload (URL and localStorage).
  await page.reload();
  await expect(page.getByTestId('model-select')).toHaveValue(first);
  expect(errors).toEqual([]);
});

test('fits a phone screen without sideways scrolling', async ({ page }) => {
  const errors = collectErrors(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await openShop(page);
  await page.locator('[data-testid=product-card]').first().click();
  await expect(page.getByTestId('product')).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  expect(errors).toEqual([]);
});

test('a corrupt model download is explained in words, with the SDK’s typed error under Details', async ({
  page,
}) => {
  const errors = collectErrors(page);
  // Every tensors.bin arrives with one byte flipped: its SHA-256 no longer matches the manifest.
  await page.route('**/tensors.bin', async (route) => {
    const response = await route.fetch();
    const body = Buffer.from(await response.body());
    body[body.length >> 1] ^= 0xff;
    await route.fulfill({ response, body });
  });
  await page.goto('/');
  await expect(page.getByTestId('error')).toContainText('its files arrived damaged or incomplete');
  await expect(page.getByTestId('retry')).toBeVisible();
  const details = page.locator('[data-testid=notice][data-code=load-error] details code');
  await expect(details).toContainText('BundleIntegrityError');
  await expect(details).toContainText('tensors.bin');
  await expect(page.getByTestId('recommendations')).toHaveCount(0);
  expect(errors).toEqual([]);
});
