import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Verdict } from '../../src/core/types.ts';
import { atSensitivity } from '../../src/core/levels.ts';
import type { ModelEntryStatus, ReportItem } from '../../src/protocol/messages.ts';
import {
  badgeFor,
  describeError,
  detectorAfterDelete,
  detectorChoices,
  evidenceOf,
  flaggedFirst,
  formatBytes,
  formatRate,
  fprSentence,
  numberMeaning,
  modelProgress,
  modelStateText,
  pageAccess,
  parseMeta,
  parseTabParam,
  partsText,
  patchForGrant,
  shouldPoll,
  siteList,
  sitePattern,
  statusView,
  storageUsed,
  summarise,
  summaryText,
  truncate,
} from '../../src/popup/model.ts';

/** Levels as a policy cuts them (flagged from 0.9, unclear from 0.75) with a human reference curve. */
const POLICY = {
  minWords: 3,
  thresholds: { low: 0.95, balanced: 0.9, high: 0.8 },
  unclear: { low: 0.9, balanced: 0.75, high: 0.6 },
  humanShare: [[0.05, 0.95], [0.5, 0.3], [0.9, 0.004], [0.95, 0.001]] as [number, number][],
};
/** A verdict as the host sends it, its level from POLICY at balanced (the second argument is unused: the level follows p). */
const verdict = (p: number | null, _flagged = false, extra: Partial<Verdict> = {}): Verdict => {
  const v: Verdict = { state: 'scored', p_machine: p, flagged: false, detector: 'embedded', ...extra };
  return v.state === 'scored' && p !== null ? atSensitivity(v, POLICY, 'balanced') : v;
};
const item = (key: string, state: ReportItem['state'], chars: number, v?: Verdict): ReportItem => ({
  key,
  state,
  preview: `text ${key}`,
  chars,
  ...(v ? { verdict: v } : {}),
});

describe('formatBytes', () => {
  it('uses decimal MB like the Hub', () => {
    assert.equal(formatBytes(126_000_000), '126 MB');
    assert.equal(formatBytes(4_500_000), '4.5 MB');
    assert.equal(formatBytes(1_420_000_000), '1.4 GB');
    assert.equal(formatBytes(500), '<1 MB');
    assert.equal(formatBytes(0), '0 MB');
    assert.equal(formatBytes(-3), '0 MB');
  });
});

describe('truncate', () => {
  it('collapses whitespace and cuts with an ellipsis', () => {
    assert.equal(truncate('  a\n\n b  ', 10), 'a b');
    assert.equal(truncate('abcdefghij', 5), 'abcd…');
    assert.equal(Array.from(truncate('😀'.repeat(10), 4)).length, 4);
  });
});

describe('badgeFor', () => {
  it('gives the level in words for scored paragraphs, and the human share beside it, never P(machine)', () => {
    const g = badgeFor({ state: 'scored', verdict: verdict(0.93) });
    assert.deepEqual({ kind: g.kind, text: g.text, share: g.share }, { kind: 'generated', text: 'likely generated', share: '1 in 510' });
    assert.equal(g.label, 'Likely machine-generated. About 1 in 510 human-written texts score this high in our tests.');
    assert.equal(badgeFor({ state: 'scored', verdict: verdict(0.8) }).kind, 'unclear');
    assert.equal(badgeFor({ state: 'scored', verdict: verdict(0.2) }).kind, 'human');
    assert.equal(badgeFor({ state: 'scored', verdict: verdict(0.2) }).text, 'likely human');
    assert.equal(badgeFor({ state: 'scored', verdict: verdict(0.99) }).share, 'fewer than 1 in 1,000');
    for (const p of [0.05, 0.2, 0.5, 0.8, 0.93, 0.99]) assert.doesNotMatch(badgeFor({ state: 'scored', verdict: verdict(p) }).label, /%/);
  });
  it('uses words for the other states, never a bare number', () => {
    const tooShort = badgeFor({ state: 'too-short', verdict: verdict(0.9, false, { state: 'too-short', reason: 'Too short' }) });
    assert.equal(tooShort.text, 'too short');
    assert.equal(
      badgeFor({ state: 'unsupported', verdict: verdict(null, false, { state: 'unsupported', reason: 'Not English: the detectors read English only.' }) }).text,
      'not English',
    );
    assert.equal(badgeFor({ state: 'unsupported', verdict: verdict(null, false, { state: 'unsupported', reason: 'Not text: binary' }) }).text, 'not judged');
    assert.equal(badgeFor({ state: 'error' }).text, 'error');
    assert.equal(badgeFor({ state: 'pending' }).text, 'checking…');
    // A scored item without a probability is shown as an error, not as "0%".
    assert.equal(badgeFor({ state: 'scored', verdict: verdict(null) }).text, 'error');
    for (const s of ['too-short', 'unsupported', 'error', 'pending'] as const) {
      assert.doesNotMatch(badgeFor({ state: s }).text, /\d/);
    }
  });
});

describe('evidenceOf', () => {
  it('keeps sentences that pushed towards generated, strongest first', () => {
    const v = verdict(0.9, true, {
      evidence: [
        { text: 'weak', start: 0, end: 4, weight: 0.1 },
        { text: 'against', start: 5, end: 12, weight: -1 },
        { text: 'strong', start: 13, end: 19, weight: 2 },
      ],
    });
    assert.deepEqual(evidenceOf(v), ['strong', 'weak']);
    assert.deepEqual(evidenceOf(undefined), []);
  });
});

describe('partsText', () => {
  it("shows each detector's own level for a combined verdict, by name", () => {
    const v: Verdict = { ...verdict(0.93), detector: 'combined', parts: { embedded: { p_machine: 0.62, level: 'human' }, 'roberta-base': { p_machine: 0.999, level: 'generated' } } };
    assert.equal(partsText(v), 'Built-in: likely human · RoBERTa-base: likely generated');
  });
  it('is empty for a single detector or an unscored verdict', () => {
    assert.equal(partsText(verdict(0.7)), '');
    assert.equal(partsText(verdict(0.7, false, { state: 'too-short', parts: { embedded: { p_machine: 0.5 }, 'roberta-base': { p_machine: 0.5 } } })), '');
    assert.equal(partsText(undefined), '');
  });
});

describe('summarise and summaryText', () => {
  const items = [
    item('a', 'scored', 300, verdict(0.93)),
    item('b', 'scored', 700, verdict(0.1)),
    item('g', 'scored', 50, verdict(0.8)),
    item('c', 'too-short', 20, verdict(0.8, false, { state: 'too-short' })),
    item('d', 'unsupported', 100),
    item('e', 'error', 100),
    item('f', 'pending', 100),
  ];
  it('counts states and the flagged share of judged characters', () => {
    const s = summarise(items);
    assert.equal(s.total, 7);
    assert.equal(s.scored, 3);
    assert.equal(s.flagged, 1);
    assert.equal(s.unclear, 1);
    assert.equal(s.human, 1);
    assert.equal(s.tooShort, 1);
    assert.equal(s.unsupported, 1);
    assert.equal(s.errors, 1);
    assert.equal(s.pending, 1);
    assert.equal(s.judgedChars, 1050);
    assert.equal(s.flaggedChars, 300);
    assert.equal(s.flaggedShare, 300 / 1050);
  });
  it('a too-short paragraph is never counted as flagged, even with a high estimate', () => {
    const s = summarise([item('c', 'too-short', 20, verdict(0.99, true, { state: 'too-short' }))]);
    assert.equal(s.flagged, 0);
    assert.equal(s.flaggedShare, null);
  });
  it('says it in words', () => {
    const t = summaryText(summarise(items), false);
    assert.equal(t.headline, '1 of 3 judged paragraphs likely machine-generated');
    assert.equal(t.levels, '1 unclear · 1 likely human-written');
    assert.equal(t.share, '29% of the judged text (by characters) is in those paragraphs');
    assert.deepEqual(t.details, ['1 too short to judge', '1 not judged (not English or not prose)', '1 failed', '1 still being checked']);
  });
  it('handles empty and not-yet-judged pages', () => {
    assert.equal(summaryText(summarise([]), true).headline, 'Scanning the page…');
    assert.equal(summaryText(summarise([]), false).headline, 'No paragraphs to check on this page.');
    assert.equal(summaryText(summarise([item('x', 'pending', 5)]), true).headline, 'Checking 1 paragraph…');
    assert.equal(summaryText(summarise([item('x', 'too-short', 5)]), false).headline, 'No paragraph could be judged.');
    const none = summaryText(summarise([item('b', 'scored', 9, verdict(0.1))]), false);
    assert.equal(none.headline, '0 of 1 judged paragraph likely machine-generated');
    assert.equal(none.levels, '0 unclear · 1 likely human-written');
    assert.equal(none.share, undefined);
  });
  it('ignores nonsense character counts', () => {
    const s = summarise([item('a', 'scored', Number.NaN, verdict(0.93)), item('b', 'scored', -5, verdict(0.1))]);
    assert.equal(s.judgedChars, 0);
    assert.equal(s.flaggedShare, null);
  });
});

describe('shouldPoll', () => {
  it('polls while scanning or while paragraphs are pending', () => {
    assert.equal(shouldPoll(null), false);
    assert.equal(shouldPoll({ url: 'x', scanning: true, items: [] }), true);
    assert.equal(shouldPoll({ url: 'x', scanning: false, items: [item('a', 'pending', 1)] }), true);
    assert.equal(shouldPoll({ url: 'x', scanning: false, items: [item('a', 'scored', 1, verdict(0.1))] }), false);
  });
});

describe('flaggedFirst', () => {
  it('is a stable sort that keeps page order within groups', () => {
    const list = [item('1', 'scored', 1, verdict(0.1)), item('2', 'scored', 1, verdict(0.93)), item('3', 'pending', 1), item('4', 'scored', 1, verdict(0.8)), item('5', 'scored', 1, verdict(0.95))];
    assert.deepEqual(flaggedFirst(list).map((i) => i.key), ['2', '5', '4', '1', '3'], 'generated, then unclear, then the rest, each in page order');
    assert.deepEqual(list.map((i) => i.key), ['1', '2', '3', '4', '5']);
  });
});

describe('statusView', () => {
  it('names the backend and explains errors', () => {
    assert.equal(statusView({ detector: 'embedded', name: 'Telltale small', state: 'ready', backend: 'webgpu' }).text, 'Telltale small ready · runs on WebGPU');
    assert.equal(statusView({ detector: 'embedded', name: 'Telltale small', state: 'ready', backend: 'wasm' }).text, 'Telltale small ready · runs on WebAssembly');
    const loading = statusView({ detector: 'x', name: 'X', state: 'loading', progress: 0.4 });
    assert.equal(loading.tone, 'busy');
    assert.equal(loading.progress, 0.4);
    assert.match(loading.text, /40%/);
    assert.equal(statusView({ detector: 'x', name: 'X', state: 'loading', progress: 7 }).progress, 1);
    assert.equal(statusView({ detector: 'x', name: 'X', state: 'error', error: 'Out of memory.' }).text, 'X could not start: Out of memory.');
    assert.match(statusView({ detector: 'x', name: '', state: 'error' }).text, /^x could not start: an unknown problem/);
    // The host's problem code wins over its words (the offscreen document has no i18n: they are English).
    assert.equal(
      statusView({ detector: 'x', name: 'X', state: 'error', error: 'whatever the host wrote', problem: { code: 'memory', detail: 'Aborted()' } }).text,
      'X could not start: There is not enough memory to load the model. Close some tabs, then try again.',
    );
    assert.equal(statusView(null).tone, 'idle');
  });
});

describe('models', () => {
  const m = (id: string, state: ModelEntryStatus['state'], extra: Partial<ModelEntryStatus> = {}): ModelEntryStatus => ({
    id,
    name: id.toUpperCase(),
    bytes: 126_000_000,
    storedBytes: state === 'ready' ? 126_000_000 : 0,
    state,
    ...extra,
  });
  it('describes states and progress', () => {
    assert.equal(modelStateText(m('a', 'absent')), 'Not downloaded · 126 MB');
    assert.equal(modelStateText(m('a', 'downloading', { progress: 0.25 })), 'Downloading 25% of 126 MB');
    assert.equal(modelStateText(m('a', 'downloading', { storedBytes: 63_000_000 })), 'Downloading 50% of 126 MB');
    assert.equal(modelStateText(m('a', 'ready')), 'Downloaded · 126 MB');
    assert.equal(modelStateText(m('a', 'error', { error: 'Network lost' })), 'Download failed: Network lost');
    assert.equal(modelProgress(m('a', 'downloading', { progress: 0.5 })), 0.5);
    assert.equal(modelProgress(m('a', 'ready')), undefined);
  });
  it('adds up storage', () => {
    assert.equal(storageUsed([m('a', 'ready'), m('b', 'downloading', { storedBytes: 1000 }), m('c', 'absent')]), 126_001_000);
  });
  it('offers automatic, built-in, ready models, and combined only when one ships and its model is ready', () => {
    assert.deepEqual(detectorChoices([m('a', 'absent')], 'auto', 'a').map((c) => c.id), ['auto', 'embedded']);
    assert.match(detectorChoices([m('a', 'absent')], 'auto', 'a')[0]!.label, /combined once A is downloaded/);
    assert.deepEqual(detectorChoices([m('a', 'ready'), m('b', 'downloading')], 'embedded', 'a').map((c) => c.id), ['auto', 'embedded', 'a', 'combined']);
    assert.match(detectorChoices([m('a', 'ready')], 'auto', 'a')[0]!.label, /built-in \+ downloaded, combined/);
    assert.deepEqual(detectorChoices([m('a', 'ready')], 'embedded').map((c) => c.id), ['auto', 'embedded', 'a'], 'no combination ships: not offered');
    assert.equal(detectorChoices([m('a', 'ready')], 'embedded')[0]!.label, 'Automatic (built-in model)');
    assert.deepEqual(detectorChoices([m('a', 'ready'), m('b', 'absent')], 'embedded', 'b').map((c) => c.id), ['auto', 'embedded', 'a']);
    const stale = detectorChoices([], 'a');
    assert.equal(stale.at(-1)?.id, 'a');
    assert.equal(stale.at(-1)?.disabled, true);
  });
  it('falls back to the built-in model after deleting the chosen one', () => {
    assert.equal(detectorAfterDelete('a', 'a', 'b'), 'auto');
    assert.equal(detectorAfterDelete('combined', 'a', 'a'), 'auto', 'the combination needs the deleted model');
    assert.equal(detectorAfterDelete('combined', 'b', 'a'), undefined, 'it does not need this one');
    assert.equal(detectorAfterDelete('embedded', 'a', 'a'), undefined);
    assert.equal(detectorAfterDelete('auto', 'a', 'a'), undefined, 'automatic goes back to the built-in model by itself');
  });
});

describe('pages and sites', () => {
  it('knows which pages cannot be scanned', () => {
    assert.deepEqual(pageAccess('https://example.com/a?b'), { scannable: true, hostname: 'example.com' });
    assert.equal(pageAccess('chrome://extensions').scannable, false);
    assert.equal(pageAccess('about:debugging').scannable, false);
    assert.equal(pageAccess('chrome-extension://abc/popup.html').scannable, false);
    assert.equal(pageAccess('https://chromewebstore.google.com/detail/x').scannable, false);
    assert.equal(pageAccess('https://addons.mozilla.org/en-US/firefox/').scannable, false);
    assert.deepEqual(pageAccess(undefined), { scannable: true, hostname: null });
    assert.deepEqual(pageAccess('file:///tmp/a.html'), { scannable: true, hostname: null });
  });
  it('builds host permission patterns', () => {
    assert.equal(sitePattern('news.example.org'), '*://news.example.org/*');
  });
  it('lists per-site overrides sorted', () => {
    assert.deepEqual(siteList({ sites: { 'b.com': false, 'a.com': true } }), [
      { host: 'a.com', on: true },
      { host: 'b.com', on: false },
    ]);
  });
  it('reads ?tab=', () => {
    assert.equal(parseTabParam('?tab=42'), 42);
    assert.equal(parseTabParam('?x=1&tab=7'), 7);
    assert.equal(parseTabParam(''), null);
    assert.equal(parseTabParam('?tab=-1'), null);
    assert.equal(parseTabParam('?tab=abc'), null);
    assert.equal(parseTabParam('?tab=99999999999999999999'), null);
  });
});

describe('describeError', () => {
  it('turns messaging failures into words', () => {
    const noCs = new Error('Could not establish connection. Receiving end does not exist.');
    assert.equal(describeError(noCs, 'page'), 'Telltale is not running on this page yet.');
    assert.match(describeError(noCs, 'background'), /not answering/);
    assert.match(describeError(new Error('Cannot access a chrome:// URL'), 'page'), /does not let extensions read/);
    assert.match(describeError(new Error('boom'), 'background'), /\(boom\)/);
    assert.match(describeError(undefined, 'background'), /Something went wrong/);
  });
});

describe('numberMeaning', () => {
  it('says what the number beside a level is, and that it is not proof', () => {
    assert.match(numberMeaning(), /how often human-written text scored as high/);
    assert.match(numberMeaning(), /not proof/);
  });
});

describe('parseMeta', () => {
  it('returns null for nothing usable', () => {
    assert.equal(parseMeta(null), null);
    assert.equal(parseMeta('x'), null);
    assert.equal(parseMeta({}), null);
    assert.equal(parseMeta([1, 2]), null);
  });
  it('reads the policy and the rates measured with it', () => {
    const m = parseMeta({
      name: 'Telltale small',
      version: '1',
      policy: { minWords: 20, thresholds: { low: 0.98, balanced: 0.96, high: 0.9 }, unclear: { low: 0.96, balanced: 0.95, high: 0.8 } },
      measured: {
        corpus: { on: 'test', balanced: { flagged: 0.001, flaggedWorst: 0.01, unclear: 0.002, unclearWorst: 0.01, caught: 0.12 } },
        pages: { on: 'pages', balanced: { flagged: 0.004, unclear: 0.003 } },
      },
    });
    assert.equal(m?.name, 'Telltale small');
    assert.equal(m?.minWords, 20);
    assert.equal(m?.corpusOn, 'test');
    assert.equal(m?.pagesOn, 'pages');
    assert.deepEqual(m?.rows.find((r) => r.sensitivity === 'balanced'), {
      sensitivity: 'balanced', threshold: 0.96, unclear: 0.95, fprWorst: 0.01, fprAll: 0.001, unclearWorst: 0.01, fprPages: 0.004, unclearPages: 0.003, tpr: 0.12,
    });
    assert.deepEqual(m?.rows.find((r) => r.sensitivity === 'low'), { sensitivity: 'low', threshold: 0.98, unclear: 0.96 });
  });
  it('drops values that are not probabilities', () => {
    const m = parseMeta({ name: 'x', policy: { thresholds: { low: 2, balanced: 'a', high: Number.NaN } }, measured: { corpus: { low: { flagged: -1 } } } });
    assert.deepEqual(m?.rows, []);
  });
});

describe('fprSentence', () => {
  it('uses per 100 or per 1,000 as the rate needs', () => {
    assert.equal(fprSentence(0.03), 'About 3 in 100 human-written texts got flagged');
    assert.equal(fprSentence(0.004), 'About 4 in 1,000 human-written texts got flagged');
    assert.equal(fprSentence(0.0001), 'Fewer than 1 in 1,000 human-written texts got flagged');
  });
});

describe('formatRate', () => {
  it('keeps a decimal for small rates', () => {
    assert.equal(formatRate(0.004), '0.4%');
    assert.equal(formatRate(0.021), '2.1%');
    assert.equal(formatRate(0.63), '63%');
    assert.equal(formatRate(0.0001), '<0.1%');
    assert.equal(formatRate(0), '0.0%');
  });
});

describe('patchForGrant', () => {
  const settings = { sensitivity: 'balanced' as const, autoScan: false, sites: { 'a.com': false }, detector: 'embedded', zeroShot: null };
  const now = 1_000_000_000;
  it('turns on what the user asked for before the prompt closed the popup', () => {
    assert.deepEqual(patchForGrant({ host: null, at: now - 1000 }, settings, now), { autoScan: true });
    assert.deepEqual(patchForGrant({ host: 'a.com', at: now - 1000 }, settings, now), { sites: { 'a.com': true } });
  });
  it('ignores stale, applied or malformed intents', () => {
    assert.equal(patchForGrant({ host: null, at: now - 11 * 60_000 }, settings, now), null);
    assert.equal(patchForGrant({ host: null, at: now }, { ...settings, autoScan: true }, now), null);
    assert.equal(patchForGrant({ host: 'a.com', at: now }, { ...settings, sites: { 'a.com': true } }, now), null);
    assert.equal(patchForGrant({ host: 3, at: now }, settings, now), null);
    assert.equal(patchForGrant({ host: null }, settings, now), null);
    assert.equal(patchForGrant('x', settings, now), null);
  });
});
