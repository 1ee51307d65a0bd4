import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envelope, parseEnvelope, LIMITS } from '../../src/protocol/messages.ts';

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
  const st = envelope('bg:cs:settings', { settings: { sensitivity: 'high', autoScan: true, sites: { 'example.org': false }, detector: 'embedded' } });
  assert.ok(parseEnvelope(st, 'cs'));
});
