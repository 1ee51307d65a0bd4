/**
 * What a score means to a reader (src/core/levels.ts), the rule that sets every detector's cuts
 * (src/core/policy-fit.ts), and the shipped policies: one meaning per number.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { atSensitivity, checkPolicy, humanShareAt, levelAt } from '../../src/core/levels.ts';
import { normalise, repair } from '../../src/core/normalise.ts';
import { COMBINED, REGISTRY } from '../../src/core/roberta/registry.ts';
import { SENSITIVITIES, type JudgingPolicy } from '../../src/core/types.ts';
import { ALERT_RATE, cutFor, FLAG_RATE, fitPolicy, humanShareCurve } from '../../src/core/policy-fit.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const shipped = JSON.parse(readFileSync(join(ROOT, 'models/embedded/meta.json'), 'utf8')) as { policy: JudgingPolicy; measured?: Record<string, Record<string, Record<string, number>>> };

/** A seeded stream of numbers in (0, 1). */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
}

describe('cutFor', () => {
  test('the lowest cut that leaves at most the rate at or above it', () => {
    const scores = Array.from({ length: 200 }, (_, i) => (i + 0.5) / 200);
    for (const rate of [0, 0.005, 0.015, 0.05, 0.3]) {
      const cut = cutFor(scores, rate);
      const above = scores.filter((x) => x >= cut).length / scores.length;
      assert.ok(above <= rate + 1e-12, `${rate}: ${above}`);
      // One score lower would let more through than the rate allows.
      const next = scores.filter((x) => x < cut).at(-1)!;
      assert.ok(scores.filter((x) => x >= next).length / scores.length > rate, `${rate}: not the lowest cut`);
    }
  });
});

describe('fitPolicy', () => {
  const r = rng(7);
  // Three kinds of human text, one of them scoring much higher (as manuals or news can).
  const groups = [
    { name: 'a', scores: Array.from({ length: 400 }, () => r() * 0.6) },
    { name: 'b', scores: Array.from({ length: 300 }, () => 0.2 + r() * 0.75) },
    { name: 'c', scores: Array.from({ length: 30 }, () => 0.999) }, // too small to count alone
  ];
  const { policy } = fitPolicy(groups, 20);
  test('every group of 50+ texts keeps its flag and alert rates; the cuts are ordered', () => {
    checkPolicy(policy, 'fitted');
    for (const s of SENSITIVITIES) {
      for (const g of groups.slice(0, 2)) {
        const flagged = g.scores.filter((x) => levelAt(policy, x, s) === 'generated').length / g.scores.length;
        const alerted = g.scores.filter((x) => levelAt(policy, x, s) !== 'human').length / g.scores.length;
        assert.ok(flagged <= FLAG_RATE[s], `${g.name} ${s} flagged ${flagged}`);
        assert.ok(alerted <= ALERT_RATE[s], `${g.name} ${s} flagged or unclear ${alerted}`);
      }
    }
    // The worst group decides: b's scores set the cuts, and a's never come near them.
    assert.ok(policy.thresholds.balanced > 0.9);
  });
  test('the reference curve falls, stays within the texts it came from, and ends at its floor', () => {
    const c = humanShareCurve(groups.slice(0, 2));
    for (let i = 1; i < c.length; i++) assert.ok(c[i]![0] > c[i - 1]![0] && c[i]![1] <= c[i - 1]![1]);
    assert.equal(c.at(-1)![1], +(3 / 700).toFixed(6), 'floor: 3 of the 700 texts, never "1 in 10,000" from 700 texts');
    assert.equal(humanShareAt(c, 0.9999)?.fewer, true);
  });
});

describe('levels and the number beside them', () => {
  test('levelAt follows the cuts of the sensitivity; atSensitivity keeps flag and level in step', () => {
    const p = shipped.policy;
    for (const s of SENSITIVITIES) {
      assert.equal(levelAt(p, p.thresholds[s], s), 'generated');
      assert.equal(levelAt(p, p.unclear[s], s), p.unclear[s] < p.thresholds[s] ? 'unclear' : 'generated');
      assert.equal(levelAt(p, p.unclear[s] - 1e-6, s), 'human');
      for (const x of [0.01, 0.5, p.unclear[s], p.thresholds[s], 0.999]) {
        const v = atSensitivity({ state: 'scored', p_machine: x, flagged: false, detector: 'embedded' }, p, s);
        assert.equal(v.flagged, v.level === 'generated');
      }
    }
    const short = atSensitivity({ state: 'too-short', p_machine: 0.99, flagged: true, detector: 'embedded', level: 'generated' }, p, 'high');
    assert.deepEqual([short.flagged, short.level], [false, undefined], 'only scored text has a level');
  });
  test('on the shipped policy, a higher level never shows a larger human share than a lower one', () => {
    for (const s of SENSITIVITIES) {
      const human = humanShareAt(shipped.policy.humanShare, shipped.policy.unclear[s] - 1e-6)!.share;
      const unclear = humanShareAt(shipped.policy.humanShare, shipped.policy.unclear[s])!.share;
      const flagged = humanShareAt(shipped.policy.humanShare, shipped.policy.thresholds[s])!.share;
      assert.ok(human >= unclear && unclear >= flagged, `${s}: ${human} ${unclear} ${flagged}`);
    }
  });
});

describe('shipped policies', () => {
  test('the embedded model, every registry model and the combination have valid cuts and say what they were fitted on', () => {
    checkPolicy(shipped.policy, 'meta.json');
    for (const e of REGISTRY) {
      checkPolicy(e.policy, e.id);
      assert.equal(e.policy.provisional, true, `${e.id}: fitted on two domains, so provisional`);
    }
    if (COMBINED) checkPolicy(COMBINED.policy, 'combined');
  });
  test('the default sensitivity met its targets where they were measured, on text no cut was chosen on', () => {
    const m = shipped.measured;
    assert.ok(m?.corpus && m.pages, 'npm run eval and npm run eval:pages wrote their measurements into meta.json');
    assert.ok(m.pages.balanced!.flagged! <= 0.02, `real pages flagged ${m.pages.balanced!.flagged}`);
    assert.ok(m.pages.balanced!.unclear! <= 0.05, `real pages unclear ${m.pages.balanced!.unclear}`);
    assert.ok(m.corpus.balanced!.flaggedWorst! <= 0.02, `corpus, worst domain flagged ${m.corpus.balanced!.flaggedWorst}`);
    assert.ok(m.corpus.balanced!.unclearWorst! <= 0.05, `corpus, worst domain unclear ${m.corpus.balanced!.unclearWorst}`);
  });
});

describe('repair: what a detector reading text as written gets', () => {
  test('removes invisible characters and replaces look-alike letters, counting both; leaves the rest as written', () => {
    const r = repair('“Hеllo”\u200b — it’s ＡＩ, 𝐛old…\n\nline  two');
    assert.equal(r.text, '“Hello” — it’s AI, bold…\n\nline  two');
    assert.deepEqual(r.report, { homoglyphs: 1 + 2 + 1, invisibles: 1, other: 0 });
    assert.equal(repair('Plain text, unchanged: “quotes” — dashes.').text, 'Plain text, unchanged: “quotes” — dashes.');
  });
  test('normalise() is repair() and then plain typography: the embedded detector reads what it always read', () => {
    const s = '“Hеllo”\u200b — it’s ＡＩ…   ok';
    assert.equal(normalise(s).text, '"Hello" - it\'s AI... ok');
    assert.equal(normalise(repair(s).text).text, normalise(s).text);
  });
});
