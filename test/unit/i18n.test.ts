/**
 * Languages: the catalogues in extension/_locales agree with the English one (keys, placeholders,
 * plural forms), the message functions fill messages the way the browsers do, and nothing a reader
 * sees is hard-coded: the popup, the options page, the cards and the page's descriptions are rendered
 * with a catalogue that wraps every message in ⟦…⟧, and any visible text outside the marks fails,
 * named by where it sits in the rendered tree. Then the German catalogue, really rendered.
 */
import assert from 'node:assert/strict';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { ComponentType } from 'preact';
import { ENGLISH, formatNumber, fromCatalogue, messageGroup, setMessageSource, t, tn, tParts, uiLocale, type Catalogue } from '../../src/shared/i18n.ts';
import type { ModelEntryStatus, PageReport, ReportItem } from '../../src/protocol/messages.ts';
import type { ParagraphState, Verdict } from '../../src/core/types.ts';
import { PROBLEM_CODES } from '../../src/core/problem.ts';
import { parseHTML } from 'linkedom';
import { inRoot, installFakeExtension, type FakeWorld } from '../support/fake-extension.ts';
import { problemText } from '../../src/shared/problem-words.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const LOCALES = join(ROOT, 'extension/_locales');
const catalogues = Object.fromEntries(
  readdirSync(LOCALES).map((dir) => [dir, JSON.parse(readFileSync(join(LOCALES, dir, 'messages.json'), 'utf8')) as Catalogue]),
);
const PLURAL = /^(.*)_(zero|one|two|few|many|other)$/;
const placeholdersOf = (e: Catalogue[string]) =>
  Object.fromEntries(Object.entries(e.placeholders ?? {}).map(([k, v]) => [k.toLowerCase(), v.content]));

// ---------------------------------------------------------------------------------------------
// The catalogues

describe('catalogues', () => {
  it('ships English and at least one more language', () => {
    assert.ok(catalogues.en, 'extension/_locales/en/messages.json');
    assert.ok(Object.keys(catalogues).length >= 2, `locales: ${Object.keys(catalogues).join(', ')}`);
  });

  it('English: well-formed keys and placeholders (named, each used, each $1…$9, nothing the browsers would read differently)', () => {
    const problems: string[] = [];
    const seen = new Map<string, string>();
    for (const [key, e] of Object.entries(ENGLISH)) {
      if (!/^[A-Za-z0-9_]+$/.test(key)) problems.push(`${key}: a key is letters, digits and _`);
      // Chrome looks keys up without regard to case.
      const lower = key.toLowerCase();
      if (seen.has(lower)) problems.push(`${key} and ${seen.get(lower)} differ only in case`);
      seen.set(lower, key);
      if (typeof e.message !== 'string' || !e.message.trim()) problems.push(`${key}: empty message`);
      const ph = placeholdersOf(e);
      const used = new Set([...e.message.matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((m) => m[1]!.toLowerCase()));
      for (const u of used) if (!(u in ph)) problems.push(`${key}: $${u}$ has no placeholder`);
      for (const [name, content] of Object.entries(ph)) {
        if (!used.has(name)) problems.push(`${key}: placeholder ${name} is not in the message`);
        if (!/^\$[1-9]$/.test(content)) problems.push(`${key}: placeholder ${name} is ${content}, not $1…$9`);
      }
      // A `$` that is not `$$` nor a placeholder: the browsers and fromCatalogue could disagree on it.
      const rest = e.message.replace(/\$\$|\$[A-Za-z0-9_@]+\$/g, '');
      if (rest.includes('$')) problems.push(`${key}: a stray $ in "${e.message}"`);
    }
    assert.deepEqual(problems, []);
  });

  for (const [locale, cat] of Object.entries(catalogues)) {
    if (locale === 'en') continue;
    it(`${locale}: every key of English with the same placeholders, the plural forms of ${locale}, no other keys`, () => {
      const rules = new Intl.PluralRules(locale.replace('_', '-')).resolvedOptions().pluralCategories as string[];
      const missing: string[] = [];
      const extra: string[] = [];
      const differ: string[] = [];
      const families = new Set(Object.keys(ENGLISH).map((k) => PLURAL.exec(k)?.[1]).filter((b): b is string => !!b));
      for (const [key, e] of Object.entries(ENGLISH)) {
        const family = PLURAL.exec(key);
        // A category this language does not have (English's `one` in a language without it) need not be there.
        if (family && !rules.includes(family[2]!) && !(key in cat)) continue;
        const mine = cat[key];
        if (!mine || typeof mine.message !== 'string' || !mine.message.trim()) {
          missing.push(key);
          continue;
        }
        const used = new Set([...mine.message.matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((m) => m[1]!.toLowerCase()));
        const want = placeholdersOf(e);
        const have = placeholdersOf(mine);
        if (JSON.stringify(Object.entries(have).sort()) !== JSON.stringify(Object.entries(want).sort()) || [...used].some((u) => !(u in want)) || Object.keys(want).some((w) => !used.has(w))) {
          differ.push(`${key}: ${JSON.stringify(have)} using ${[...used].join(',')}; English ${JSON.stringify(want)}`);
        }
      }
      for (const family of families) {
        for (const category of rules) if (!(`${family}_${category}` in cat)) missing.push(`${family}_${category} (a plural form of ${locale})`);
      }
      for (const key of Object.keys(cat)) {
        if (key in ENGLISH) continue;
        const family = PLURAL.exec(key);
        if (family && families.has(family[1]!) && rules.includes(family[2]!)) continue; // e.g. `_few` in Polish
        extra.push(key);
      }
      assert.deepEqual({ missing, extra, differ }, { missing: [], extra: [], differ: [] });
      assert.equal(cat.locale?.message, locale.replace('_', '-'), 'its `locale` message names its own folder');
    });
  }

  it('the manifest names only messages that exist, and the build ships every locale with a default', () => {
    const manifest = readFileSync(join(ROOT, 'manifest.json'), 'utf8');
    const names = [...manifest.matchAll(/__MSG_([A-Za-z0-9_@]+)__/g)].map((m) => m[1]!);
    assert.ok(names.includes('extName') && names.includes('extDescription'), 'name and description come from the catalogue');
    for (const n of names) assert.ok(n in ENGLISH, `__MSG_${n}__`);
    assert.equal(JSON.parse(manifest).default_locale, 'en');
  });

  it('every English key is used somewhere (by name, or its plural family by its base name)', () => {
    // Untracked new files count too (this test runs before a commit as well).
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', 'src', 'manifest.json'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
    const all = files.map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
    const unused = Object.keys(ENGLISH).filter((k) => {
      const base = PLURAL.exec(k)?.[1];
      return !all.includes(`'${k}'`) && !all.includes(`__MSG_${k}__`) && !(base && all.includes(`'${base}'`));
    });
    assert.deepEqual(unused, []);
  });
});

// ---------------------------------------------------------------------------------------------
// The message functions

describe('t, tn, tParts', () => {
  afterEach(() => setMessageSource(null));

  it('fill placeholders as the browsers do: named, case-insensitive, $$ a dollar, substitutions not read again', () => {
    const cat: Catalogue = {
      a: { message: 'Pay $$5 to $WHO$ for $what$.', placeholders: { who: { content: '$1' }, WHAT: { content: '$2' } } },
      b: { message: 'Two: $TWO$ then $ONE$', placeholders: { one: { content: '$1' }, two: { content: '$2' } } },
    };
    assert.equal(fromCatalogue(cat, 'a', ['Ann', 'tea']), 'Pay $5 to Ann for tea.');
    assert.equal(fromCatalogue(cat, 'b', ['first', 'second']), 'Two: second then first', 'a translation may change the order');
    assert.equal(fromCatalogue(cat, 'a', ['$2 $WHAT$ $$', 'x']), 'Pay $5 to $2 $WHAT$ $$ for x.');
    assert.equal(fromCatalogue(cat, 'missing'), '');
  });

  it('in Node: English from the catalogue, numbers in English', () => {
    assert.equal(t('shareShortOneIn', 1000), '1 in 1,000');
    assert.equal(uiLocale(), 'en');
    assert.equal(tn('summaryHeadline', 1, 0), '0 of 1 judged paragraph likely machine-generated');
    assert.equal(tn('summaryHeadline', 20, 3), '3 of 20 judged paragraphs likely machine-generated');
  });

  it('messageGroup: each word is read when used, so a change of language shows at the next render', () => {
    const words = messageGroup({ close: 'cardClose' }, { saved: (name: string) => t('exportSaved', name) });
    assert.equal(words.close, 'Close');
    setMessageSource((key, subs) => `⟦${key}${subs?.length ? `:${subs.join(',')}` : ''}⟧`);
    assert.equal(words.close, '⟦cardClose⟧');
    assert.equal(words.saved('a.csv'), '⟦exportSaved:a.csv⟧');
  });

  it("uses the browser's i18n where there is one, and English where it has no such message", () => {
    const asked: [string, string[] | undefined][] = [];
    const g = globalThis as { chrome?: unknown };
    const before = g.chrome;
    g.chrome = {
      i18n: {
        getMessage: (k: string, s?: string[]) => {
          asked.push([k, s]);
          return k === 'popupScanAgain' ? 'Erneut prüfen' : '';
        },
      },
    };
    try {
      assert.equal(t('popupScanAgain'), 'Erneut prüfen');
      assert.equal(t('popupScanThisPage'), 'Scan this page');
      assert.deepEqual(asked.map((a) => a[0]), ['popupScanAgain', 'popupScanThisPage']);
    } finally {
      g.chrome = before;
    }
  });

  it('German: its plural forms and its numbers ("1 von 1.000"), through the same placeholders', () => {
    setMessageSource((k, s) => fromCatalogue(catalogues.de!, k, s));
    assert.equal(uiLocale(), 'de');
    assert.equal(t('shareShortOneIn', 1000), '1 von 1.000');
    assert.equal(tn('summaryHeadline', 1, 1), '1 von 1 beurteilten Absatz wahrscheinlich maschinell erzeugt');
    assert.equal(tn('summaryHeadline', 1200, 3), '3 von 1.200 beurteilten Absätzen wahrscheinlich maschinell erzeugt');
    assert.deepEqual(tParts('aboutLevels', 'A', 'B', 'C').filter((p) => p.length === 1), ['A', 'B', 'C']);
  });

  it('whole numbers are written as Intl.NumberFormat writes them, in every catalogue language (without its set-up cost)', () => {
    const numbers = [0, 1, 9, 10, 99, 100, 999, 1000, 1001, 9999, 10_000, 12_345, 99_999, 100_000, 123_456, 999_999, 1_000_000, 1_234_567_890, Number.MAX_SAFE_INTEGER];
    for (let x = 1; x < 1e15; x *= 7) numbers.push(Math.floor(x), Math.floor(x) + 1);
    for (const [lang, cat] of Object.entries(catalogues)) {
      setMessageSource((k, s) => fromCatalogue(cat, k, s));
      assert.equal(uiLocale(), lang);
      const intl = new Intl.NumberFormat(lang);
      for (const n of numbers) assert.equal(formatNumber(n), intl.format(n), `${lang}: ${n}`);
      // Not whole, negative or with options: Intl itself.
      for (const n of [-1234, 1234.5, 0.25, Number.NaN]) assert.equal(formatNumber(n), intl.format(n), `${lang}: ${n}`);
      assert.equal(formatNumber(0.25, { style: 'percent' }), new Intl.NumberFormat(lang, { style: 'percent' }).format(0.25));
    }
  });

  it('a key that is not in the English catalogue does not compile', () => {
    // Never called: `npm run typecheck` fails if this line stops being an error.
    // @ts-expect-error: not a message key
    const wrong = () => t('noSuchMessage');
    assert.equal(typeof wrong, 'function');
  });
});

// ---------------------------------------------------------------------------------------------
// Nothing hard-coded: the UI rendered with every message marked

const OPEN = '⟦';
const CLOSE = '⟧';
const marked = (k: string, s?: string[]) => OPEN + fromCatalogue(ENGLISH, k, s ?? []) + CLOSE;

/** Text from the page, the host or the fixtures (not ours to translate), blanked before the check. */
const DATA = [
  'First paragraph, machine-like.',
  'Second paragraph.',
  'Short.',
  'Ein Absatz auf Deutsch, den die Detektoren nicht lesen.',
  'machine-like',
  'In the frame.',
  'The selected words of the page.',
  'news.example.org',
  'a.example',
  'b.example',
  'RoBERTa base',
  'RoBERTa large',
  'RoBERTa-base',
  'Telltale small',
  'Fast-DetectGPT on SmolLM2-135M',
  'Network lost',
  'the test split',
  '92 pages',
  'Overall, it is important to note.',
  'the page text',
  'socket hang up',
  'HTTP 404',
];
const ATTRS = ['aria-label', 'title', 'placeholder', 'aria-description', 'alt', 'aria-valuetext', 'aria-roledescription'];

function where(el: Element | null): string {
  const parts: string[] = [];
  for (let e = el; e && e.nodeType === 1 && parts.length < 6; e = e.parentElement) {
    const cls = (e.getAttribute('class') ?? '').trim().split(/\s+/).filter(Boolean).slice(0, 2).map((c) => `.${c}`).join('');
    const id = e.getAttribute('data-testid') ? `[data-testid=${e.getAttribute('data-testid')}]` : '';
    parts.unshift(e.localName + cls + id);
  }
  return parts.join(' > ');
}

function blank(s: string): string {
  let out = s;
  for (const d of DATA) out = out.split(d).join(' '.repeat(d.length));
  return out;
}

/**
 * Every visible text of `root` (text nodes in order, and the attributes people read) outside ⟦…⟧:
 * letters there did not come from a catalogue. Digits and punctuation may stand alone.
 */
function unmarked(root: Element): string[] {
  const found: string[] = [];
  const walker = (root.ownerDocument as Document).createTreeWalker(root, 1 | 4);
  const texts: { node: Node; text: string }[] = [];
  const check = (text: string, at: string, state: { depth: number; run: string }) => {
    for (const ch of blank(text)) {
      if (ch === OPEN) state.depth++;
      else if (ch === CLOSE) state.depth--;
      else if (state.depth === 0 && /\p{L}/u.test(ch)) {
        state.run += ch;
        continue;
      } else if (state.depth === 0 && state.run && /[\s\p{P}\d]/u.test(ch)) {
        state.run += ch;
        continue;
      }
      if (state.run.trim()) found.push(`"${state.run.trim()}" in ${at}`);
      state.run = '';
    }
    if (state.run.trim()) found.push(`"${state.run.trim()}" in ${at}`);
    state.run = '';
  };
  for (let n: Node | null = walker.currentNode; n; n = walker.nextNode()) {
    if (n.nodeType === 3) {
      const parent = n.parentElement;
      if (parent && /^(style|script)$/i.test(parent.localName)) continue;
      texts.push({ node: n, text: n.nodeValue ?? '' });
    } else if (n.nodeType === 1) {
      const el = n as Element;
      for (const a of ATTRS) {
        const v = el.getAttribute(a);
        if (v) {
          const st = { depth: 0, run: '' };
          check(v, `${where(el)} @${a}`, st);
          if (st.depth !== 0) found.push(`unbalanced marks in ${where(el)} @${a}: "${v}"`);
        }
      }
    }
  }
  // Text nodes in order: a message split around parts (tParts) opens in one node and closes in another.
  const st = { depth: 0, run: '' };
  for (const { node, text } of texts) check(text, where(node.parentElement), st);
  if (st.depth !== 0) found.push(`unbalanced marks in ${where(root)}`);
  return found;
}

// The popup and options page against a fake extension (test/support/fake-extension.ts).
const fake = installFakeExtension();
const { document } = fake;
let w: FakeWorld;
fake.setLocation('?tab=7');

const { h, render } = await import('preact');
const { Popup } = await import('../../src/popup/Popup.tsx');
const { Options } = await import('../../src/options/Options.tsx');
const { atSensitivity } = await import('../../src/core/levels.ts');
const { buildCardContent, FloatingCard } = await import('../../src/content/card.ts');
const { Marks } = await import('../../src/content/marks.ts');

const POLICY = {
  minWords: 3,
  thresholds: { low: 0.95, balanced: 0.9, high: 0.8 },
  unclear: { low: 0.9, balanced: 0.75, high: 0.6 },
  humanShare: [[0.05, 0.95], [0.5, 0.3], [0.9, 0.004], [0.95, 0.001]] as [number, number][],
};
const verdict = (p: number, extra: object = {}) => atSensitivity({ state: 'scored', p_machine: p, flagged: false, detector: 'embedded', ...extra }, POLICY, 'balanced');
const item = (key: string, state: ParagraphState, preview: string, v?: Verdict): ReportItem => ({ key, state, preview, chars: preview.length * 10, ...(v ? { verdict: v } : {}) });
const REPORT: PageReport = {
  url: 'https://news.example.org/a',
  scanning: false,
  selection: { text: 'The selected words of the page.', verdict: verdict(0.99) },
  items: [
    item('k1', 'scored', 'First paragraph, machine-like.', { ...verdict(0.99), evidence: [{ text: 'machine-like', start: 0, end: 5, weight: 1 }] }),
    item('k2', 'scored', 'Second paragraph.', { ...verdict(0.8), detector: 'combined', parts: { embedded: { p_machine: 0.2, level: 'human' }, 'roberta-base': { p_machine: 0.05 } } }),
    item('k3', 'scored', 'Second paragraph.', verdict(0.3)),
    item('k4', 'too-short', 'Short.', { state: 'too-short', p_machine: 0.8, flagged: false, detector: 'embedded', reason: 'Too short to judge: scores are unreliable under 3 words.', reasonCode: 'too-short', reasonArgs: ['3'] }),
    item('k5', 'unsupported', 'Ein Absatz auf Deutsch, den die Detektoren nicht lesen.', { state: 'unsupported', p_machine: null, flagged: false, detector: 'embedded', reason: 'Not English: the detectors read English only.', reasonCode: 'not-english' }),
    item('k6', 'unsupported', 'Short.', { state: 'unsupported', p_machine: null, flagged: false, detector: 'embedded', reason: 'Not text', reasonCode: 'binary' }),
    item('k7', 'error', 'Short.', { state: 'error', p_machine: null, flagged: false, detector: 'embedded', reason: 'Could not be checked: socket hang up', reasonCode: 'not-checked', reasonArgs: ['socket hang up'] }),
    item('k8', 'pending', 'Short.'),
    item('k9', 'scored', '', verdict(0.6)),
  ],
};
const MODELS: ModelEntryStatus[] = [
  { id: 'roberta-base', name: 'RoBERTa base', bytes: 126e6, storedBytes: 126e6, state: 'ready' },
  { id: 'roberta-large', name: 'RoBERTa large', bytes: 1.4e9, storedBytes: 2e8, state: 'downloading', progress: 0.25 },
  { id: 'other', name: 'Telltale small', bytes: 5e5, storedBytes: 0, state: 'absent' },
  { id: 'broken', name: 'RoBERTa large', bytes: 4.5e6, storedBytes: 1e6, state: 'error', error: 'Network lost' },
  // The host's problem, as a code: its English `error` is not what the reader sees.
  { id: 'full', name: 'RoBERTa-base', bytes: 4.5e6, storedBytes: 1e6, state: 'error', error: 'There is not enough storage space.', problem: { code: 'storage-full', detail: 'QuotaExceededError' } },
];
const META = {
  name: 'Telltale small',
  version: '3',
  policy: { minWords: 20, thresholds: { low: 0.98, balanced: 0.96, high: 0.9 }, unclear: { low: 0.96, balanced: 0.95, high: 0.8 } },
  measured: {
    corpus: { on: 'the test split', balanced: { flagged: 0.001, flaggedWorst: 0.01, unclear: 0.002, unclearWorst: 0.01, caught: 0.12 }, high: { flaggedWorst: 0.0001, caught: 0.3 } },
    pages: { on: '92 pages', balanced: { flagged: 0.004, unclear: 0.003 } },
  },
};

let root: HTMLElement;
beforeEach(() => {
  w = fake.world = {
    tabUrl: 'https://news.example.org/a',
    report: structuredClone(REPORT),
    cs: true,
    bgUp: true,
    grant: false,
    hasAccess: true,
    status: { detector: 'embedded', name: 'Telltale small', state: 'ready', backend: 'wasm' },
    store: { settings: { sensitivity: 'balanced', autoScan: false, sites: { 'a.example': true, 'b.example': false }, detector: 'missing-model' } },
    models: structuredClone(MODELS),
    meta: META,
    // Here a download fails and a click on a row finds its paragraph gone.
    download: { ok: false, error: 'socket hang up' },
    revealOk: false,
    sent: [],
    sentTab: [],
    permissionRequests: [],
  };
  root = document.createElement('div');
  document.body.appendChild(root);
});
afterEach(() => {
  render(null, root);
  root.remove();
  setMessageSource(null);
});
after(() => setMessageSource(null));

const { until, $, click } = inRoot(() => root);
const mount = (c: ComponentType) => render(h(c, {}), root);
/** The rendered tree must carry every message marked; `what` says which screen failed. */
function assertAllMarked(el: Element, what: string) {
  const found = unmarked(el);
  assert.deepEqual(found, [], `${what}: text that did not come from a catalogue:\n  ${found.join('\n  ')}`);
}

describe('nothing a reader sees is hard-coded (every message marked ⟦…⟧)', () => {
  beforeEach(() => setMessageSource(marked));

  it('the check itself finds text outside the marks, and where it is', () => {
    const div = document.createElement('div');
    div.innerHTML = '<p class="x">⟦ok⟧ 12 · ⟦a <b>⟦b⟧</b> c⟧</p><button aria-label="Close">⟦×⟧</button><span>Hard-coded</span>';
    assert.deepEqual(unmarked(div as unknown as Element), ['"Close" in div > button @aria-label', '"Hard-coded" in div > span']);
  });

  it('the popup: a report in every state, the selection, evidence, models, notes and errors', async () => {
    mount(Popup);
    await until(() => root.querySelectorAll('[data-testid="row"]').length === 9, 'rows');
    await until(() => $('[data-testid="model-row"]') && /⟦/.test($('[data-testid="status"]')!.textContent), 'models and status');
    click($('[data-testid="evidence-toggle"]'));
    await until(() => $('[data-testid="evidence"]'), 'evidence');
    click($('[data-testid="sort-toggle"]'));
    click($('[data-testid="row"]'));
    await until(() => /⟦/.test($('.list .note')!.textContent), 'the reveal note');
    click($('[data-testid="autoscan-site"]'));
    await until(() => $('[data-testid="autoscan-note"]'), 'the refused-permission note');
    click($('[data-testid="model-download"]'));
    await until(() => /⟦/.test($('[data-testid="models-note"]')!.textContent), 'the download note');
    assert.ok($('[data-testid="english-only"]'), 'the popup says the detectors read English only');
    assertAllMarked(root, 'popup with a report');
  });

  it('the popup with a zero-shot detector: its lines (uncalibrated, calibrated, too short, failed), the deep check and its progress, the chart, the export', async () => {
    const zs = (extra: Pick<Verdict, 'state'> & Partial<Verdict>): Verdict => ({ p_machine: null, flagged: false, detector: 'fast-detectgpt', ...extra });
    w.report.items[0]!.zeroShot = zs({ state: 'scored', calibrated: false, raw: 2.43 });
    w.report.items[1]!.zeroShot = zs({ state: 'scored', detector: 'binoculars', calibrated: false, raw: 0.93 });
    w.report.items[2]!.zeroShot = { ...verdict(0.99), detector: 'binoculars' };
    w.report.items[3]!.zeroShot = zs({ state: 'too-short' });
    w.report.items[6]!.zeroShot = zs({ state: 'error' });
    w.report.deep = { done: 2, total: 5, running: true };
    w.store.settings = { sensitivity: 'balanced', autoScan: false, sites: {}, detector: 'auto', zeroShot: 'fast-detectgpt' };
    w.models = [...MODELS, { id: 'fast-detectgpt', name: 'Fast-DetectGPT on SmolLM2-135M', bytes: 1e8, storedBytes: 1e8, state: 'ready', kind: 'zero-shot', calibrated: false, repos: ['a/b'] }];
    w.zeroShot = { detector: 'fast-detectgpt', ready: true, backend: 'wasm', calibrated: false };
    mount(Popup);
    await until(() => root.querySelectorAll('[data-testid="zero-shot"]').length >= 4, 'the zero-shot lines');
    await until(() => $('[data-testid="deep-status"]') && $('[data-testid="chart-svg"]') && $('[data-testid="export-csv"]'), 'deep check, chart and export');
    assertAllMarked(root, 'popup with a zero-shot detector');
  });

  it('the popup: a finished report, not scanned, a browser page, the background down, the detector loading and failing', async () => {
    w.report.items = w.report.items.filter((i) => i.state !== 'pending');
    w.status = { detector: 'embedded', name: 'Telltale small', state: 'idle' };
    mount(Popup);
    await until(() => $('[data-testid="scan-button"]') && !$<HTMLButtonElement>('[data-testid="scan-button"]')!.disabled && /⟦/.test($('[data-testid="status"]')?.textContent ?? ''), 'a finished report');
    assertAllMarked(root, 'popup with a finished report');
    render(null, root);

    w.cs = false;
    w.status = { detector: 'roberta-base', name: 'RoBERTa base', state: 'loading', progress: 0.4 };
    mount(Popup);
    await until(() => $('[data-testid="scan-button"]') && $('[data-testid="status-progress"]'), 'not scanned');
    assertAllMarked(root, 'popup, not scanned');
    render(null, root);

    w.tabUrl = 'chrome://extensions/';
    w.status = { detector: 'roberta-base', name: 'RoBERTa base', state: 'error', error: 'Not enough memory.', problem: { code: 'memory', detail: 'Aborted()' } };
    mount(Popup);
    await until(() => $('[data-testid="page-message"]') && /⟦/.test($('[data-testid="status"]')!.textContent), 'a browser page');
    assertAllMarked(root, 'popup on a browser page');
    render(null, root);

    w.tabUrl = 'https://news.example.org/a';
    w.bgUp = false;
    w.cs = false;
    mount(Popup);
    await until(() => $('[data-testid="status-retry"]'), 'the background down');
    await until(() => $('[data-testid="scan-button"]'), 'scan button');
    click($('[data-testid="scan-button"]'));
    await until(() => $('[data-testid="page-message"]'), 'the scan error');
    assertAllMarked(root, 'popup with the background down');
  });

  it('every problem the detector host can report (src/core/problem.ts) has words in the catalogue', () => {
    for (const code of PROBLEM_CODES) {
      const div = document.createElement('div');
      div.textContent = `${problemText({ code, detail: 'HTTP 404' })} ${problemText({ code })}`;
      assertAllMarked(div as unknown as Element, `problem ${code}`);
    }
  });

  it('the options page: settings, sites, models, the measured rates, and without them', async () => {
    w.store.settings.autoScan = true;
    w.hasAccess = false;
    mount(Options);
    await until(() => $('[data-testid="rates"]') && $('[data-testid="model-row"]') && root.querySelectorAll('[data-testid="site-row"]').length === 2, 'options');
    await until(() => $('.autoscan .note'), 'the access-lost note');
    assert.ok($('[data-testid="english-only"]'), 'the options page says the detectors read English only');
    assertAllMarked(root, 'options page');
    render(null, root);

    w.meta = null;
    w.store.settings.sites = {};
    w.models = [];
    mount(Options);
    await until(() => $('[data-testid="rates-missing"]') && /⟦/.test($('[data-testid="rates-missing"]')!.textContent) && $('[data-testid="models"] .hint'), 'options without rates');
    assertAllMarked(root, 'options page without rates or sites');
  });

  it('the cards on pages, their close button, and the descriptions of marked paragraphs', () => {
    const { document: page } = parseHTML('<!doctype html><html><head></head><body><p id="a">the page text</p><p id="b">the page text</p></body></html>');
    const doc = page as unknown as Document;
    const both = { homoglyphs: 1, invisibles: 2, other: 0 };
    const cards = [
      buildCardContent(doc, { ...verdict(0.99), detector: 'combined', parts: { embedded: { p_machine: 0.99, level: 'generated' as const }, 'roberta-base': { p_machine: 0.2 } }, evidence: [{ text: 'Overall, it is important to note.', start: 0, end: 1, weight: 1 }], normalisation: both }, { title: t('cardSelectionTitle'), text: 'the page text' }),
      buildCardContent(doc, verdict(0.8, { normalisation: { homoglyphs: 1, invisibles: 0, other: 0 } })),
      buildCardContent(doc, verdict(0.1, { normalisation: { homoglyphs: 0, invisibles: 1, other: 0 } })),
      buildCardContent(doc, { state: 'unsupported', p_machine: null, flagged: false, detector: 'embedded', reason: 'Not English', reasonCode: 'not-english-prose' }),
      buildCardContent(doc, { state: 'too-short', p_machine: 0.3, flagged: false, detector: 'embedded', reason: 'Too short', reasonCode: 'too-short', reasonArgs: ['40'] }),
      buildCardContent(doc, { state: 'error', p_machine: null, flagged: false, detector: 'embedded', reason: 'failed', reasonCode: 'failed', reasonArgs: ['socket hang up'] }),
      buildCardContent(doc, { state: 'error', p_machine: null, flagged: false, detector: 'embedded', reason: 'x', reasonCode: 'no-answer' }),
      buildCardContent(doc, { state: 'error', p_machine: null, flagged: false, detector: 'roberta-base', reason: 'The Hub did not give the files.', reasonCode: 'load-failed', reasonArgs: ['hub-refused', 'HTTP 404'] }),
    ];
    for (const [i, c] of cards.entries()) assertAllMarked(c, `card ${i + 1}`);
    assert.match(cards[3]!.textContent ?? '', /⟦Does not read as English prose: the detectors read English only\.⟧/);

    // The interactive card's close button, inside its closed shadow root.
    let proto = doc.createElement('div') as unknown as { attachShadow: (o: ShadowRootInit) => ShadowRoot };
    while (proto && !Object.hasOwn(proto, 'attachShadow')) proto = Object.getPrototypeOf(proto);
    const real = proto.attachShadow;
    let shadow: ShadowRoot | null = null;
    proto.attachShadow = function (this: Element, o: ShadowRootInit) {
      shadow = real.call(this, o);
      return shadow;
    };
    try {
      new FloatingCard(doc, { interactive: true, role: 'status' }).show({ left: 0, top: 0, right: 10, bottom: 10 }, verdict(0.99), { text: 'the page text' });
    } finally {
      proto.attachShadow = real;
    }
    const card = (shadow as unknown as ShadowRoot).querySelector('.card') as Element;
    assert.ok(card.querySelector('button.close'), 'the close button is there');
    assertAllMarked(card, 'the selection card');

    const marks = new Marks(doc);
    marks.apply(doc.getElementById('a')!, 'a', 'scored', verdict(0.99));
    marks.apply(doc.getElementById('b')!, 'b', 'scored', verdict(0.8));
    assertAllMarked(doc.body, 'marked paragraphs');
    assert.match(doc.getElementById('a')!.getAttribute('aria-description') ?? '', /^⟦Telltale: /);
  });
});

describe('nothing hard-coded in the JSX, rendered or not', () => {
  it('no letters in JSX text, nor in string-literal labels, titles and placeholders', async () => {
    const ts = (await import('typescript')).default;
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', 'src'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('.tsx'));
    assert.ok(files.length >= 5, files.join(' '));
    const found: string[] = [];
    for (const f of files) {
      const src = ts.createSourceFile(f, readFileSync(join(ROOT, f), 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
      const at = (n: import('typescript').Node) => `${f}:${src.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
      const visit = (n: import('typescript').Node) => {
        if (ts.isJsxText(n) && /\p{L}/u.test(n.text)) found.push(`"${n.text.trim()}" at ${at(n)}`);
        if (ts.isJsxAttribute(n) && ATTRS.includes(n.name.getText(src)) && n.initializer) {
          const init = n.initializer;
          const lit = ts.isStringLiteral(init) ? init : ts.isJsxExpression(init) && init.expression && (ts.isStringLiteral(init.expression) || ts.isNoSubstitutionTemplateLiteral(init.expression)) ? init.expression : null;
          if (lit && /\p{L}/u.test(lit.text)) found.push(`${n.name.getText(src)}="${lit.text}" at ${at(n)}`);
        }
        // A string shown as it is: `{busy ? 'Scanning…' : t('popupScanAgain')}` as a child or a label.
        if ((ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) && /\p{L}/u.test(n.text)) {
          let c: import('typescript').Node = n;
          let p: import('typescript').Node = n.parent;
          const K = ts.SyntaxKind;
          for (;;) {
            const passes =
              ts.isParenthesizedExpression(p) ||
              (ts.isConditionalExpression(p) && p.condition !== c) ||
              (ts.isBinaryExpression(p) && ([K.BarBarToken, K.QuestionQuestionToken].includes(p.operatorToken.kind) || (p.operatorToken.kind === K.AmpersandAmpersandToken && p.right === c)));
            if (!passes) break;
            c = p;
            p = p.parent;
          }
          const shown = ts.isJsxExpression(p) && (ts.isJsxElement(p.parent) || ts.isJsxFragment(p.parent) || (ts.isJsxAttribute(p.parent) && ATTRS.includes(p.parent.name.getText(src))));
          if (shown) found.push(`"${n.text}" at ${at(n)}`);
        }
        ts.forEachChild(n, visit);
      };
      visit(src);
    }
    assert.deepEqual(found, [], `hard-coded text in JSX:\n  ${found.join('\n  ')}`);
  });
});

describe('German', () => {
  it('the popup renders in German, numbers the German way', async () => {
    setMessageSource((k, s) => fromCatalogue(catalogues.de!, k, s ?? []));
    mount(Popup);
    await until(() => root.querySelectorAll('[data-testid="row"]').length === 9, 'rows');
    const summary = $('[data-testid="summary"]')!.textContent.replace(/\s+/g, ' ');
    assert.match(summary, /1 von 4 beurteilten Absätzen wahrscheinlich maschinell erzeugt/);
    assert.match(summary, /bei ausgewogener Empfindlichkeit/);
    const shares = Array.from(root.querySelectorAll('[data-testid="share"]')).map((e) => e.textContent.trim());
    assert.ok(shares.includes('weniger als 1 von 1.000'), shares.join(' | '));
    assert.match($('[data-testid="english-only"]')!.textContent, /Die Detektoren lesen nur Englisch/);
  });
});
