/**
 * The detector host's service in Node, on the real embedded detector: each text is scored once (the
 * verdict cache), per detector, and the cache stays within its budget however many texts it has seen.
 * What goes wrong in the host reaches the UI as a problem code (the offscreen document has no i18n).
 * The paragraphs are the project's own generated ones (test/support/faults.ts).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Detector } from '../../src/core/types.ts';
import { HubError, HubIntegrityError } from '../../src/core/hub/hub.ts';
import { problemOf } from '../../src/core/problem.ts';
import type { DetectorStatus } from '../../src/protocol/messages.ts';
import { DetectorService, VERDICT_CACHE } from '../../src/host/service.ts';
import { reasonText } from '../../src/shared/verdict-words.ts';
import { loadEmbeddedDetector } from '../../src/node/models.ts';
import { paragraphs } from '../support/faults.ts';

/** The real detector, counting the texts it is asked to score. */
function counting(d: Detector): { detector: Detector; scored: string[] } {
  const scored: string[] = [];
  const detector = Object.create(d) as Detector;
  detector.scoreBatch = (texts) => {
    scored.push(...texts);
    return d.scoreBatch(texts);
  };
  return { detector, scored };
}

describe('detector host service', () => {
  let embedded: Detector;
  before(async () => {
    embedded = await loadEmbeddedDetector();
  });

  const service = (ids: string[] = ['embedded', 'other']) => {
    const counters = new Map(ids.map((id) => [id, counting(embedded)]));
    const s = new DetectorService({
      factory: async (id) => ({ detector: counters.get(id)!.detector, backend: 'wasm' }),
      pushStatus: () => undefined,
      allowWebGpu: false,
    });
    return { s, counters };
  };

  it('scores a text once; a second request, another sensitivity and a duplicate in one request are answered from the cache', async () => {
    const { s, counters } = service();
    const texts = paragraphs(41, 6);
    const first = await s.score([...texts, texts[0]!], 'embedded', 'balanced');
    assert.equal(counters.get('embedded')!.scored.length, 6);
    assert.deepEqual(first[6], first[0]);
    const again = await s.score(texts, 'embedded', 'high');
    assert.equal(counters.get('embedded')!.scored.length, 6, 'nothing scored again');
    assert.deepEqual(again.map((v) => v.p_machine), first.slice(0, 6).map((v) => v.p_machine));
    // Another detector has its own entries: the same text is scored by it.
    await s.score(texts.slice(0, 2), 'other', 'balanced');
    assert.equal(counters.get('other')!.scored.length, 2);
  });

  it('a text that differs in one character is not a cache hit', async () => {
    const { s, counters } = service();
    const [t] = paragraphs(42, 1);
    await s.score([t!], 'embedded', 'balanced');
    await s.score([`${t!.slice(0, -1)}!`], 'embedded', 'balanced');
    assert.equal(counters.get('embedded')!.scored.length, 2);
  });

  it('the cache keeps to its byte budget: the newest verdicts stay, the oldest go', async () => {
    const { s, counters } = service();
    const scored = counters.get('embedded')!.scored;
    const texts = paragraphs(43, 1500);
    for (let i = 0; i < texts.length; i += 100) await s.score(texts.slice(i, i + 100), 'embedded', 'balanced');
    assert.equal(scored.length, 1500);
    assert.ok(s.cache.cost <= VERDICT_CACHE.bytes, `cost ${s.cache.cost}`);
    assert.ok(s.cache.size >= 300 && s.cache.size < 1500, `${s.cache.size} verdicts kept`);
    await s.score(texts.slice(-100), 'embedded', 'balanced');
    assert.equal(scored.length, 1500, 'the newest are answered from the cache');
    await s.score(texts.slice(0, 100), 'embedded', 'balanced');
    assert.equal(scored.length, 1600, 'the oldest are scored again');
  });
});

describe('host problems', () => {
  it('an error becomes the problem it stands for', () => {
    assert.equal(problemOf(new DOMException('The quota has been exceeded.', 'QuotaExceededError')).code, 'storage-full');
    assert.equal(problemOf(new HubIntegrityError('a/b/model.onnx: stored file is corrupt')).code, 'integrity');
    assert.equal(problemOf(new HubError('a/b@main: HTTP 404', 404)).code, 'hub-refused');
    assert.equal(problemOf(new TypeError('Failed to fetch')).code, 'offline');
    assert.equal(problemOf(new TypeError('NetworkError when attempting to fetch resource.')).code, 'offline');
    assert.equal(problemOf(new RangeError('WebAssembly.Memory(): could not allocate memory')).code, 'memory');
    const other = problemOf(new Error(`no ${'x'.repeat(400)}`));
    assert.equal(other.code, 'failed');
    assert.equal(other.detail!.length, 300);
  });

  it('a detector that cannot load: its status and every verdict carry the problem, which the UI words', async () => {
    const statuses: DetectorStatus[] = [];
    const s = new DetectorService({
      factory: async () => {
        throw new TypeError('Failed to fetch');
      },
      pushStatus: (st) => statuses.push(st),
      allowWebGpu: false,
    });
    const vs = await s.score(['one text', 'another text'], 'roberta-base', 'balanced');
    const last = statuses.at(-1)!;
    assert.equal(last.state, 'error');
    assert.deepEqual(last.problem, { code: 'offline', detail: 'Failed to fetch' });
    for (const v of vs) {
      assert.equal(v.state, 'error');
      assert.equal(v.reasonCode, 'load-failed');
      assert.deepEqual(v.reasonArgs, ['offline', 'Failed to fetch']);
      assert.match(reasonText(v)!, /^The Hugging Face Hub could not be reached\./);
    }
  });
});
