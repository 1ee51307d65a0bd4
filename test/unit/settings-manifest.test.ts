import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autoScanFor, DEFAULT_SETTINGS, sanitiseSettings } from '../../src/core/settings.ts';
import { manifestFor } from '../../scripts/build.ts';

test('stored settings are validated property by property', () => {
  assert.deepEqual(sanitiseSettings(undefined), DEFAULT_SETTINGS);
  assert.deepEqual(sanitiseSettings('garbage'), DEFAULT_SETTINGS);
  const s = sanitiseSettings({ sensitivity: 'high', autoScan: 'yes', sites: { 'a.org': true, 'b.org': 'no' }, detector: 42 });
  assert.equal(s.sensitivity, 'high');
  assert.equal(s.autoScan, false);
  assert.deepEqual(s.sites, { 'a.org': true });
  assert.equal(s.detector, 'auto', 'the default: built-in, combined with a downloaded RoBERTa once it is ready');
});

test('a site override beats the global switch', () => {
  const s = sanitiseSettings({ autoScan: true, sites: { 'quiet.example': false, 'loud.example': true } });
  assert.equal(autoScanFor(s, 'quiet.example'), false);
  assert.equal(autoScanFor(s, 'other.example'), true);
  assert.equal(autoScanFor({ ...s, autoScan: false }, 'loud.example'), true);
});

/** The manifest fields these tests read (manifestFor() returns the parsed JSON, untyped). */
type Manifest = {
  manifest_version: number;
  background: { service_worker?: string; scripts?: string[] };
  permissions: string[];
  host_permissions?: string[];
  optional_host_permissions?: string[];
  content_security_policy: { extension_pages: string };
  browser_specific_settings: { gecko: { id: string; strict_min_version: string; data_collection_permissions: unknown } };
  minimum_chrome_version?: string;
};

test('Chrome manifest: MV3 service worker, offscreen, optional host access, wasm CSP', () => {
  const m = manifestFor('chrome') as Manifest;
  assert.equal(m.manifest_version, 3);
  assert.equal(m.background.service_worker, 'background.js');
  assert.ok(m.permissions.includes('offscreen'));
  assert.equal(m.host_permissions, undefined, 'no host access at install: it is requested from the user');
  assert.deepEqual(m.optional_host_permissions, ['<all_urls>']);
  assert.match(m.content_security_policy.extension_pages, /'wasm-unsafe-eval'/);
  assert.doesNotMatch(m.content_security_policy.extension_pages, /https?:/, 'no remote code');
});

test('Firefox manifest is derived: event page, gecko id, no offscreen', () => {
  const m = manifestFor('firefox') as Manifest;
  assert.deepEqual(m.background.scripts, ['background.js']);
  assert.equal(m.background.service_worker, undefined);
  assert.ok(!m.permissions.includes('offscreen'));
  assert.match(m.browser_specific_settings.gecko.id, /@/);
  assert.ok(parseFloat(m.browser_specific_settings.gecko.strict_min_version) >= 140);
  assert.deepEqual(m.browser_specific_settings.gecko.data_collection_permissions, { required: ['none'] });
  assert.equal(m.minimum_chrome_version, undefined);
});
