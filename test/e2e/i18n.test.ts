/**
 * The catalogues in a real browser: Chromium in English and in German (its German locale comes with
 * Debian's chromium-l10n, which .ci/run installs). The options page takes its words, its `lang` and its
 * number formats from the catalogue the browser picked; the manifest's name and the toolbar title
 * come from `__MSG_…__`. Firefox ESR (English only here: Debian ships its languages as separate
 * packages) reads the same catalogue through its own i18n.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { launchChromium, launchFirefox, waitFor } from '../support/browsers.ts';

async function optionsPage(lang: string) {
  const h = await launchChromium({ webgpu: false, lang });
  try {
    const page = await h.openExtensionPage('options.html');
    await waitFor(() => page.evaluate(() => !!document.querySelector('[data-testid="rates"]')), 'the measured rates');
    const seen = await page.evaluate(() => ({
      lang: document.documentElement.lang,
      title: document.title,
      h1: document.querySelector('h1')?.textContent ?? '',
      rates: document.querySelector('[data-testid="rates"]')?.textContent ?? '',
      englishOnly: document.querySelector('[data-testid="english-only"]')?.textContent ?? '',
      sensitivity: document.querySelector('[data-testid="sensitivity"] legend')?.textContent ?? '',
    }));
    const worker = await h.worker();
    const manifest = await worker.evaluate(async () => ({
      name: chrome.i18n.getMessage('extName'),
      uiLanguage: chrome.i18n.getUILanguage(),
      actionTitle: await chrome.action.getTitle({}),
    }));
    return { ...seen, ...manifest };
  } finally {
    await h.close();
  }
}

test('Chromium in English and in German: the options page, its lang and numbers, the toolbar title', async (t) => {
  const en = await optionsPage('en-US');
  t.diagnostic(JSON.stringify(en));
  assert.equal(en.lang, 'en');
  assert.equal(en.h1, 'Telltale settings');
  assert.equal(en.title, 'Telltale settings');
  assert.match(en.englishOnly, /the detectors read English only/);
  assert.match(en.rates, /\d\.\d%/, 'English decimals');
  assert.equal(en.name, 'Telltale');
  assert.equal(en.actionTitle, 'Telltale', 'the toolbar title from __MSG_actionTitle__');

  assert.ok(existsSync('/usr/lib/chromium/locales/de.pak'), "Chromium's German locale is missing: apt-get install -y chromium-l10n (.ci/run does)");
  const de = await optionsPage('de');
  t.diagnostic(JSON.stringify(de));
  assert.match(de.uiLanguage, /^de/);
  assert.equal(de.lang, 'de');
  assert.equal(de.title, 'Telltale-Einstellungen');
  assert.equal(de.actionTitle, 'Telltale');
  assert.equal(de.h1, 'Telltale-Einstellungen');
  assert.equal(de.sensitivity, 'Empfindlichkeit');
  assert.match(de.englishOnly, /Die Detektoren lesen nur Englisch/);
  assert.match(de.rates, /\d,\d\s%/, 'German decimals: 0,4 %');
  assert.doesNotMatch(de.rates, /\d\.\d%/);
});

test('Firefox ESR: the options page and the background take their words from the catalogue', async () => {
  const h = await launchFirefox();
  try {
    const page = await h.openExtensionPage('options.html');
    await waitFor(() => page.evaluate(() => !!document.querySelector('[data-testid="rates"]')), 'the measured rates');
    const seen = await page.evaluate(() => ({
      lang: document.documentElement.lang,
      h1: document.querySelector('h1')?.textContent ?? '',
      englishOnly: document.querySelector('[data-testid="english-only"]')?.textContent ?? '',
      name: browser.i18n.getMessage('extName'),
      menu: browser.i18n.getMessage('menuCheckSelection'),
    }));
    assert.deepEqual(seen, {
      lang: 'en',
      h1: 'Telltale settings',
      englishOnly: 'Other languages: the detectors read English only; text in other languages is marked “not English” and not judged.',
      name: 'Telltale',
      menu: 'Check selection with Telltale',
    });
  } finally {
    await h.close();
  }
});
