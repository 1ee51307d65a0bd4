/**
 * The detector host's service in Node, on the real embedded detector: each text is scored once (the
 * verdict cache), per detector, and the cache stays within its budget however many texts it has seen.
 * The paragraphs are the project's own generated ones (test/support/faults.ts).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Detector } from '../../src/core/types.ts';
import { DetectorService, VERDICT_CACHE } from '../../src/host/service.ts';
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
