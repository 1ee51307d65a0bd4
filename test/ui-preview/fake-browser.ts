/**
 * A stand-in for `webextension-polyfill` so the popup and options page can be opened as plain web pages
 * (for screenshots and quick checks without loading the extension). The scenario comes from the URL:
 * `?scenario=report|none|restricted|loading|error|offline`.
 */
import type { DetectorStatus, ModelEntryStatus, PageReport } from '../../src/protocol/messages.ts';
import { wholeChanges } from '../support/report-changes.ts';

const params = new URLSearchParams(location.search);
const scenario = params.get('scenario') ?? 'report';

const longText =
  'The rapid advancement of artificial intelligence has transformed numerous industries, offering unprecedented opportunities for innovation while also raising important ethical considerations that society must address.';

const report: PageReport = {
  url: 'https://news.example.org/story',
  scanning: false,
  selection:
    scenario === 'report'
      ? {
          text: 'In conclusion, it is important to note that these findings underscore the multifaceted nature of the issue.',
          verdict: { state: 'scored', p_machine: 0.88, flagged: true, detector: 'embedded' },
        }
      : undefined,
  items: [
    {
      key: 'p1',
      state: 'scored',
      preview: longText,
      chars: 1200,
      verdict: {
        state: 'scored',
        p_machine: 0.91,
        flagged: true,
        detector: 'embedded',
        evidence: [
          { text: 'offering unprecedented opportunities for innovation', start: 0, end: 10, weight: 1.4 },
          { text: 'important ethical considerations that society must address', start: 11, end: 20, weight: 0.8 },
        ],
      },
    },
    { key: 'p2', state: 'scored', preview: 'I walked down to the harbour this morning and the fog was so thick you could barely see the boats.', chars: 800, verdict: { state: 'scored', p_machine: 0.12, flagged: false, detector: 'embedded' } },
    { key: 'p3', state: 'too-short', preview: 'Read more below.', chars: 16, verdict: { state: 'too-short', p_machine: 0.7, flagged: false, detector: 'embedded', reason: 'Too short to judge: scores are unreliable under 40 words.' } },
    { key: 'p4', state: 'unsupported', preview: 'Der schnelle braune Fuchs springt über den faulen Hund.', chars: 55, verdict: { state: 'unsupported', p_machine: null, flagged: false, detector: 'embedded', reason: 'Not English: the detectors read English only.' } },
    { key: 'p5', state: 'scored', preview: 'Our city council met on Tuesday to discuss the new bike lanes; residents were split on parking.', chars: 600, verdict: { state: 'scored', p_machine: 0.004, flagged: false, detector: 'embedded' } },
    { key: 'p6', state: 'error', preview: 'Something odd happened with this one.', chars: 40, verdict: { state: 'error', p_machine: null, flagged: false, detector: 'embedded', reason: 'The detector failed on this text.' } },
    { key: 'p7', state: scenario === 'loading' ? 'pending' : 'scored', preview: 'Furthermore, leveraging synergies across stakeholders enables a holistic approach.', chars: 400, ...(scenario === 'loading' ? {} : { verdict: { state: 'scored' as const, p_machine: 0.77, flagged: true, detector: 'embedded' } }) },
  ],
};

const status: DetectorStatus =
  scenario === 'loading'
    ? { detector: 'embedded', name: 'Telltale small', state: 'loading', progress: 0.42 }
    : scenario === 'error'
      ? { detector: 'embedded', name: 'Telltale small', state: 'error', error: 'Not enough memory to load the model. Close some tabs and try again.' }
      : { detector: 'embedded', name: 'Telltale small', state: 'ready', backend: 'webgpu' };

const models: ModelEntryStatus[] = [
  { id: 'roberta-base', name: 'RoBERTa base (OpenAI detector)', bytes: 126_000_000, storedBytes: 126_000_000, state: 'ready' },
  { id: 'roberta-large', name: 'RoBERTa large (OpenAI detector)', bytes: 358_000_000, storedBytes: 120_000_000, state: 'downloading', progress: 0.34 },
  { id: 'other', name: 'Another detector', bytes: 250_000_000, storedBytes: 0, state: scenario === 'error' ? 'error' : 'absent', error: 'Network connection lost.' },
];

const store: Record<string, unknown> = {
  settings: { sensitivity: 'balanced', autoScan: false, sites: { 'news.example.org': true, 'blog.example.com': false }, detector: 'roberta-base' },
};
const changeListeners: ((c: Record<string, { newValue?: unknown }>, area: string) => void)[] = [];

const fail = (msg: string) => Promise.reject(new Error(msg));
const delay = <T>(v: T, ms = 30) => new Promise<T>((r) => setTimeout(() => r(v), ms));

const fake = {
  runtime: {
    id: 'fake',
    getURL: (p: string) => new URL(p.replace(/^\//, ''), location.href).href,
    openOptionsPage: () => delay(undefined),
    onMessage: { addListener: () => {} },
    sendMessage: (env: { type: string; payload: unknown }) => {
      if (scenario === 'offline') return fail('Could not establish connection. Receiving end does not exist.');
      switch (env.type) {
        case 'ui:bg:status':
          return delay(status);
        case 'ui:bg:models':
          return delay({ models });
        case 'ui:bg:scan-tab':
          return delay({ ok: true });
        case 'ui:bg:download':
        case 'ui:bg:delete-model':
          return delay({ ok: true });
      }
      return fail('unknown message');
    },
  },
  tabs: {
    query: () => delay([{ id: 1, url: scenario === 'restricted' ? 'chrome://extensions/' : 'https://news.example.org/story' }]),
    get: (id: number) => delay({ id, url: 'https://news.example.org/story' }),
    sendMessage: (_tab: number, env: { type: string }) => {
      if (scenario === 'none' || scenario === 'offline') return fail('Could not establish connection. Receiving end does not exist.');
      if (env.type === 'ui:cs:changes') return delay(wholeChanges(report));
      if (env.type === 'ui:cs:reveal') return delay({ ok: true });
      return fail('unknown');
    },
  },
  permissions: {
    request: () => delay(params.get('grant') !== 'no'),
    contains: () => delay(true),
    remove: () => delay(true),
  },
  storage: {
    local: {
      get: (k: string) => delay(k in store ? { [k]: store[k] } : {}),
      set: (items: Record<string, unknown>) => {
        const changes: Record<string, { newValue?: unknown }> = {};
        for (const [k, v] of Object.entries(items)) {
          store[k] = v;
          changes[k] = { newValue: v };
        }
        for (const fn of changeListeners) fn(changes, 'local');
        return delay(undefined);
      },
      remove: (k: string) => {
        delete store[k];
        return delay(undefined);
      },
    },
    onChanged: { addListener: (fn: (typeof changeListeners)[number]) => changeListeners.push(fn) },
  },
};

// The meta.json the options page reads, when the harness is asked for it (`?meta=1`).
if (params.get('meta') === '1') {
  const realFetch = window.fetch.bind(window);
  window.fetch = (input: RequestInfo | URL, init?: RequestInit) =>
    String(input).endsWith('models/embedded/meta.json')
      ? Promise.resolve(
          new Response(
            JSON.stringify({
              name: 'Telltale small',
              version: '0.1',
              minWords: 40,
              thresholds: { low: 0.92, balanced: 0.75, high: 0.55 },
              fpr: { low: 0.004, balanced: 0.021, high: 0.083 },
              tpr: { low: 0.41, balanced: 0.63, high: 0.79 },
              evaluatedOn: 'test split, 4,000 paragraphs',
            }),
          ),
        )
      : realFetch(input, init);
}

export default fake;
