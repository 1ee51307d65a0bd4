import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envelope, parseEnvelope, LIMITS } from '../../src/protocol/messages.ts';
import { sanitiseSettings } from '../../src/core/settings.ts';

test('well-formed messages parse for their own target only', () => {
  const msg = envelope('cs:bg:score', { texts: ['one paragraph'] });
  assert.equal(msg.target, 'bg');
  assert.deepEqual(parseEnvelope(msg, 'bg'), msg);
  assert.equal(parseEnvelope(msg, 'host'), null);
  assert.equal(parseEnvelope(msg, 'cs'), null);
});

test('anything not ours, or malformed, is rejected', () => {
  const bad: unknown[] = [
    null,
    'cs:bg:score',
    { type: 'cs:bg:score', target: 'bg', payload: { texts: [] } }, // no marker
    { telltale: 1, type: 'cs:bg:score', target: 'bg', payload: { texts: 'x' } },
    { telltale: 1, type: 'cs:bg:score', target: 'bg', payload: { texts: [1, 2] } },
    { telltale: 1, type: 'cs:bg:score', target: 'bg', payload: { texts: new Array(LIMITS.textsPerMessage + 1).fill('a') } },
    { telltale: 1, type: 'cs:bg:score', target: 'bg', payload: { texts: ['a'.repeat(LIMITS.charsPerText + 1)] } },
    { telltale: 1, type: 'toString', target: 'bg', payload: {} }, // prototype keys are not message types
    { telltale: 1, type: '__proto__', target: 'bg', payload: {} },
    { telltale: 1, type: 'bg:host:score', target: 'bg', payload: { texts: [], detector: 'embedded', sensitivity: 'balanced' } }, // wrong target
    { telltale: 1, type: 'bg:host:score', target: 'host', payload: { texts: [], detector: 'embedded', sensitivity: 'paranoid' } },
    { telltale: 1, type: 'cs:bg:report', target: 'bg', payload: { flagged: -1, total: 3 } },
    { telltale: 1, type: 'ui:cs:reveal', target: 'cs', payload: { key: 'k'.repeat(LIMITS.keyChars + 1) } },
    { telltale: 1, type: 'bg:cs:selection', target: 'cs', payload: { text: 'x', verdict: { state: 'scored', p_machine: 2, flagged: true, detector: 'embedded' } } },
    { telltale: 1, type: 'bg:cs:settings', target: 'cs', payload: { settings: { sensitivity: 'balanced', autoScan: 'yes', sites: {}, detector: 'embedded' } } },
  ];
  for (const m of bad) assert.equal(parseEnvelope(m, (m as { target?: 'bg' })?.target ?? 'bg'), null, JSON.stringify(m)?.slice(0, 120));
});

test('a valid selection verdict and settings pass', () => {
  const sel = envelope('bg:cs:selection', { text: 'x', verdict: { state: 'too-short', p_machine: 0.4, flagged: false, detector: 'embedded' } });
  assert.ok(parseEnvelope(sel, 'cs'));
  const st = envelope('bg:cs:settings', { settings: { sensitivity: 'high', autoScan: true, sites: { 'example.org': false }, detector: 'embedded', zeroShot: null } });
  assert.ok(parseEnvelope(st, 'cs'));
});

test('zero-shot: the setting takes null or a zero-shot id, the new routes check their payloads', () => {
  const base = { sensitivity: 'high', autoScan: true, sites: {}, detector: 'embedded' };
  for (const zeroShot of [null, 'fast-detectgpt', 'binoculars', 'binoculars-qwen2.5-0.5b'])
    assert.ok(parseEnvelope(envelope('bg:cs:settings', { settings: { ...base, zeroShot } as never }), 'cs'), String(zeroShot));
  for (const zeroShot of [undefined, 'embedded', 'combined', 'roberta-base', 'binoculars<script>', 7, 'x'.repeat(200)])
    assert.equal(parseEnvelope({ telltale: 1, type: 'bg:cs:settings', target: 'cs', payload: { settings: { ...base, zeroShot } } }, 'cs'), null, String(zeroShot));
  assert.equal(sanitiseSettings({ ...base, zeroShot: 'roberta-base' }).zeroShot, null);
  assert.equal(sanitiseSettings({ ...base, zeroShot: 'binoculars' }).zeroShot, 'binoculars');
  assert.equal(sanitiseSettings({}).zeroShot, null);

  const ok = { texts: ['a'], detector: 'fast-detectgpt', sensitivity: 'balanced', webgpuOnly: true };
  assert.ok(parseEnvelope(envelope('bg:host:zeroshot', ok as never), 'host'));
  for (const bad of [{ ...ok, detector: 'embedded' }, { ...ok, webgpuOnly: 'yes' }, { ...ok, texts: new Array(LIMITS.textsPerMessage + 1).fill('a') }, { ...ok, sensitivity: 'x' }])
    assert.equal(parseEnvelope({ telltale: 1, type: 'bg:host:zeroshot', target: 'host', payload: bad }, 'host'), null, JSON.stringify(bad).slice(0, 80));
  assert.ok(parseEnvelope(envelope('cs:bg:deep', { texts: ['a'] }), 'bg'));
  assert.equal(parseEnvelope({ telltale: 1, type: 'cs:bg:deep', target: 'bg', payload: { texts: [1] } }, 'bg'), null);
  assert.ok(parseEnvelope(envelope('ui:cs:deep', { action: 'cancel' }), 'cs'));
  assert.equal(parseEnvelope({ telltale: 1, type: 'ui:cs:deep', target: 'cs', payload: { action: 'stop' } }, 'cs'), null);
  // A selection's zero-shot verdict must be a valid one: uncalibrated, so no level and no flag.
  const zs = { state: 'scored', p_machine: null, flagged: false, detector: 'fast-detectgpt', calibrated: false, raw: 2.4 };
  const main = { state: 'too-short', p_machine: 0.4, flagged: false, detector: 'embedded' };
  assert.ok(parseEnvelope(envelope('bg:cs:selection', { text: 'x', verdict: main as never, zeroShot: zs as never }), 'cs'));
  assert.equal(parseEnvelope({ telltale: 1, type: 'bg:cs:selection', target: 'cs', payload: { text: 'x', verdict: main, zeroShot: { ...zs, level: 'generated', flagged: true } } }, 'cs'), null);
});

test('ui:cs:changes takes null or a well-formed cursor, nothing else', () => {
  assert.ok(parseEnvelope(envelope('ui:cs:changes', { since: null }), 'cs'));
  const cursor = { epoch: 'k9-abc', rev: 12, seq: Number.MAX_SAFE_INTEGER };
  assert.ok(parseEnvelope(envelope('ui:cs:changes', { since: cursor }), 'cs'));
  for (const since of [undefined, {}, 'x', { ...cursor, rev: -1 }, { ...cursor, seq: 1.5 }, { ...cursor, epoch: 'e'.repeat(65) }, { ...cursor, epoch: 7 }, { ...cursor, rev: Number.POSITIVE_INFINITY }])
    assert.equal(parseEnvelope({ telltale: 1, type: 'ui:cs:changes', target: 'cs', payload: { since } }, 'cs'), null, JSON.stringify(since) ?? 'undefined');
  assert.equal(parseEnvelope({ telltale: 1, type: 'ui:cs:changes', target: 'cs', payload: {} }, 'cs'), null, 'since is required');
});
