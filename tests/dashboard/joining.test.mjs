// Joining in the dashboard: the QR code and the link carry the server's configured public URL
// (--public-url) and the code, as shiftlog://join?server=…&code=…; without one, the address is
// guessed from the request and the page says so. The QR code is decoded from the rendered
// image (jsQR), not read from the API. Screenshots in tests/dashboard/out/joining-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { startServer, signedIn, out } from './harness.mjs';

const jsQR = createRequire(import.meta.url)('jsqr');
const PUBLIC = 'https://shiftlog.example.org/';

/// Makes a code on the Devices page and returns what the page shows, the QR code decoded.
async function makeCode(s, name, lang = 'en') {
  const { context, page, errors } = await signedIn(s, { lang });
  await page.locator('#nav a[href="#devices"]').click();
  await page.locator('#page-devices:not([hidden])').waitFor();
  await page.locator('#code-form button[type=submit]').click();
  await page.locator('#code-out:not([hidden])').waitFor();
  await page.locator('#code-qr').evaluate((img) => img.decode());
  // The image's pixels as the page drew them, decoded here (the page's CSP allows no test script).
  const pixels = await page.locator('#code-qr').evaluate((img) => {
    const c = document.createElement('canvas');
    c.width = 400; c.height = 400;
    const g = c.getContext('2d');
    g.fillStyle = '#fff'; g.fillRect(0, 0, 400, 400);
    g.drawImage(img, 20, 20, 360, 360);
    return Array.from(g.getImageData(0, 0, 400, 400).data);
  });
  const found = jsQR(Uint8ClampedArray.from(pixels), 400, 400);
  const qr = found && found.data;
  const shown = {
    qr,
    code: await page.locator('#code-text').textContent(),
    server: await page.locator('#code-server').textContent(),
    link: await page.locator('#code-link').textContent(),
    href: await page.locator('#code-link').getAttribute('href'),
    guessedNote: await page.locator('#code-guessed').isVisible(),
  };
  await page.locator('#code-out').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(out, `joining-${name}-${lang}.png`), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
  return shown;
}

function parseJoin(link) {
  const u = new URL(link);
  assert.equal(u.protocol, 'shiftlog:');
  assert.equal(u.host, 'join');
  return { server: u.searchParams.get('server'), code: u.searchParams.get('code') };
}

test('with --public-url the QR code and the link carry it and the code', async () => {
  const s = await startServer({ serveArgs: ['--public-url', 'https://shiftlog.example.org'] });
  try {
    const shown = await makeCode(s, 'public-url');
    assert.ok(shown.qr, 'the QR code decodes');
    assert.equal(shown.qr, shown.link, 'the QR code is the link');
    assert.equal(shown.href, shown.link);
    assert.deepEqual(parseJoin(shown.qr), { server: PUBLIC, code: shown.code });
    assert.equal(shown.server, PUBLIC);
    assert.equal(shown.guessedNote, false, 'no "guessed" note when the URL is configured');
    const fr = await makeCode(s, 'public-url', 'fr');
    assert.equal(parseJoin(fr.qr).server, PUBLIC);
  } finally {
    await s.stop();
  }
});

test('without a public URL the address is guessed from the request, and the page says so', async () => {
  const s = await startServer();
  try {
    const shown = await makeCode(s, 'guessed');
    assert.ok(shown.qr, 'the QR code decodes');
    assert.deepEqual(parseJoin(shown.qr), { server: `${s.base}/`, code: shown.code });
    assert.equal(shown.guessedNote, true);
    const { context, page } = await signedIn(s, { lang: 'fr' });
    await page.locator('#nav a[href="#devices"]').click();
    await page.locator('#code-form button[type=submit]').click();
    await page.locator('#code-guessed:not([hidden])').waitFor();
    assert.match(await page.locator('#code-guessed').textContent(), /devinée/);
    await context.close();
  } finally {
    await s.stop();
  }
});
