/**
 * The current page: its report from the content script (or a "Scan this page" button when there is
 * none), the summary, the selection check and the paragraph list.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { PageReport, ReportItem, ZeroShotStatus } from '../protocol/messages.ts';
import { ZEROSHOT_WORDS, zeroShotLine, zeroShotMethod } from '../shared/zeroshot-words.ts';
import * as api from './api.ts';
import { rowId } from './frames.ts';
import { useInterval } from './hooks.ts';
import {
  badgeFor,
  badgeForVerdict,
  describeError,
  evidenceOf,
  partsText,
  flaggedFirst,
  numberMeaning,
  pageAccess,
  sensitivityText,
  shouldPoll,
  summarise,
  summaryText,
  truncate,
  type Badge,
} from './model.ts';
import type { Sensitivity } from '../core/types.ts';
import { t } from '../shared/i18n.ts';
import { isNotEnglish, verdictSentence } from '../shared/verdict-words.ts';
import type { ExportContext } from '../shared/export.ts';
import { PageChart } from './Chart.tsx';
import { ExportButtons } from './Export.tsx';

export type PageState =
  | { kind: 'loading' }
  | { kind: 'unavailable'; message: string }
  | { kind: 'not-scanned'; message?: string }
  | { kind: 'starting' }
  | { kind: 'report'; report: PageReport };

const POLL_MS = 500;
/** How long to wait for a freshly injected content script to answer. */
const START_TIMEOUT_MS = 15_000;

export function usePage(tab: api.ActiveTab | null, tabError: string | null) {
  const [page, setPage] = useState<PageState>({ kind: 'loading' });
  const startedAt = useRef(0);
  /** Whether this popup asked for a scan: an empty report before that means "not scanned yet". */
  const scanRequested = useRef(false);
  /** After "Scan again" the content script may still report the old, finished scan for a moment. */
  const pollUntil = useRef(0);
  const inFlight = useRef(false);

  useEffect(() => {
    if (tabError) return setPage({ kind: 'unavailable', message: tabError });
    if (!tab) return;
    const access = pageAccess(tab.url);
    if (!access.scannable) return setPage({ kind: 'unavailable', message: access.reason });
    let live = true;
    api
      .getReport(tab.id)
      .then((report) => live && setPage(validReport(report) ? { kind: 'report', report } : { kind: 'not-scanned' }))
      .catch(() => live && setPage({ kind: 'not-scanned' }));
    return () => {
      live = false;
    };
  }, [tab, tabError]);

  const polling =
    !!tab && (page.kind === 'starting' || (page.kind === 'report' && (shouldPoll(page.report) || Date.now() < pollUntil.current)));

  useInterval(
    () => {
      if (!tab || inFlight.current) return;
      inFlight.current = true;
      api
        .getReport(tab.id)
        .then((report) => {
          if (validReport(report)) setPage({ kind: 'report', report });
          else throw new Error('bad report');
        })
        .catch((err) => {
          if (page.kind === 'starting' && Date.now() - startedAt.current < START_TIMEOUT_MS) return;
          setPage({
            kind: 'not-scanned',
            message:
              page.kind === 'starting'
                ? t('popupPageNoAnswer')
                : t('twoSentences', describeError(err, 'page'), t('popupPageChanged')),
          });
        })
        .finally(() => {
          inFlight.current = false;
        });
    },
    POLL_MS,
    polling,
  );

  async function scan() {
    if (!tab) return;
    const previous = page;
    scanRequested.current = true;
    startedAt.current = Date.now();
    pollUntil.current = Date.now() + 2_000;
    if (previous.kind !== 'report') setPage({ kind: 'starting' });
    try {
      const res = await api.scanTab(tab.id);
      if (!res?.ok) {
        // The background's words are whole already ("Could not scan this page: …"; src/background/inject.ts).
        setPage({ kind: 'not-scanned', message: res?.error?.trim() || t('popupScanFailed', t('noReasonGiven')) });
        return;
      }
      // Re-render so the poll starts even when the old report looked finished.
      if (previous.kind === 'report') setPage({ kind: 'report', report: { ...previous.report } });
    } catch (err) {
      setPage({ kind: 'not-scanned', message: describeError(err, 'background') });
    }
  }

  /** Settings changed: the content script re-judges (or rescans) with them; watch it for a moment. */
  function refresh() {
    if (page.kind !== 'report') return;
    pollUntil.current = Date.now() + 2_500;
    setPage({ kind: 'report', report: { ...page.report } });
  }

  // A content script that is present but has not scanned (no auto-scan here) reports nothing at all.
  const shown: PageState =
    page.kind === 'report' && page.report.items.length === 0 && !page.report.scanning && !page.report.selection && !scanRequested.current
      ? { kind: 'not-scanned' }
      : page;
  return { page: shown, scan, refresh };
}

function validReport(r: unknown): r is PageReport {
  return !!r && typeof r === 'object' && Array.isArray((r as PageReport).items);
}

function BadgeView({ badge }: { badge: Badge }) {
  // Visible words only (no aria-label over them): what a voice-control user reads is what they can say.
  return (
    <span class="badge-wrap" title={badge.label}>
      <span class={`badge badge-${badge.kind}`} data-testid="badge" data-level={badge.kind}>
        {badge.kind === 'generated' && <FlagIcon />}
        {badge.text}
      </span>
      {badge.share && (
        <span class="share-count" data-testid="share">
          {badge.share}
        </span>
      )}
    </span>
  );
}

export function FlagIcon() {
  return (
    <svg class="icon" viewBox="0 0 16 16" width="12" height="12" aria-hidden="true" focusable="false">
      <path d="M3 1.5v13M3 2h8.5l-2 3 2 3H3" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round" />
    </svg>
  );
}

function Row(props: { item: ReportItem; tabId: number; onRevealFail: (msg: string) => void }) {
  const { item, tabId } = props;
  const badge = badgeFor(item);
  const evidence = evidenceOf(item.verdict);
  const parts = partsText(item.verdict);
  const [open, setOpen] = useState(false);
  const flagged = badge.kind === 'generated';

  function reveal() {
    api
      .reveal(tabId, item.key, item.frameId ?? 0)
      .then((r) => {
        if (!r?.ok) props.onRevealFail(t('popupRevealGone'));
      })
      .catch(() => props.onRevealFail(t('popupRevealNoAnswer')));
  }

  return (
    <li class={`item${flagged ? ' flagged' : ''}`} data-state={item.state}>
      <button
        type="button"
        class="row"
        data-testid="row"
        data-key={item.key}
        data-frame={item.frameId ?? 0}
        data-flagged={flagged ? 'true' : 'false'}
        data-level={item.verdict?.level ?? ''}
        title={t('twoSentences', badge.label, t('popupRowHint'))}
        onClick={reveal}
      >
        <span class="row-text">{truncate(item.preview, 140) || t('popupNoText')}</span>
        <BadgeView badge={badge} />
      </button>
      {parts && (
        <p class="parts" data-testid="parts">
          {parts}
        </p>
      )}
      {item.zeroShot && (
        <p class="parts zero-shot" data-testid="zero-shot">
          {zeroShotLine(item.zeroShot)}
        </p>
      )}
      {evidence.length > 0 && (
        <div class="evidence">
          <button type="button" class="link" aria-expanded={open} onClick={() => setOpen(!open)} data-testid="evidence-toggle">
            {open ? t('popupEvidenceHide', evidence.length) : t('popupEvidenceShow', evidence.length)}
          </button>
          {open && (
            <ul class="evidence-list" data-testid="evidence">
              {evidence.map((s, i) => (
                <li key={i}>{t('quoted', truncate(s, 240))}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </li>
  );
}

export function SelectionCard({ selection }: { selection: NonNullable<PageReport['selection']> }) {
  const badge = badgeForVerdict(selection.verdict);
  const v = selection.verdict;
  return (
    <section class="card selection" data-testid="selection" aria-label={t('popupSelection')}>
      <h2>{t('popupSelection')}</h2>
      <p class="quote">{t('quoted', truncate(selection.text, 200))}</p>
      <p class="selection-result">
        <BadgeView badge={badge} /> {verdictSentence(v)}
      </p>
      {partsText(v) && (
        <p class="parts" data-testid="parts">
          {partsText(v)}
        </p>
      )}
      {selection.zeroShot && (
        <p class="parts zero-shot" data-testid="zero-shot">
          {zeroShotLine(selection.zeroShot)}
        </p>
      )}
    </section>
  );
}

/**
 * "Deep check this page": the zero-shot detector on every paragraph, one at a time, in the page's
 * content script (it goes on if the popup closes); progress and Cancel through `ui:cs:deep`.
 */
export function DeepCheck(props: { report: PageReport; zeroShot: ZeroShotStatus; tabId: number; onStarted: () => void }) {
  const { report, zeroShot, tabId } = props;
  const [note, setNote] = useState<string | null>(null);
  const [asked, setAsked] = useState(false);
  const deep = report.deep;
  const m = zeroShotMethod(zeroShot.detector);
  const running = !!deep?.running;
  const act = (action: 'start' | 'cancel') => {
    setNote(null);
    setAsked(true);
    api
      .deepCheck(tabId, action)
      .then((r) => {
        if (!r?.ok && r?.error) setNote(r.error);
        props.onStarted();
      })
      .catch((err) => setNote(describeError(err, 'page')))
      .finally(() => setAsked(false));
  };
  const status = !deep
    ? null
    : running
      ? ZEROSHOT_WORDS.deepProgress(deep.done, deep.total)
      : deep.error
        ? deep.error
        : deep.cancelled
          ? ZEROSHOT_WORDS.deepCancelled(deep.done, deep.total)
          : ZEROSHOT_WORDS.deepDone(m, deep.done);
  return (
    <div class="deep" data-testid="deep">
      <div class="page-actions">
        {running ? (
          <button type="button" onClick={() => act('cancel')} disabled={asked} data-testid="deep-cancel">
            {ZEROSHOT_WORDS.deepCancel}
          </button>
        ) : (
          <button type="button" onClick={() => act('start')} disabled={asked || !zeroShot.ready} data-testid="deep-button" aria-describedby="deep-hint">
            {ZEROSHOT_WORDS.deepButton}
          </button>
        )}
        <span class="deep-status" data-testid="deep-status" role="status" aria-live="polite">
          {status ?? ''}
        </span>
      </div>
      {running && deep && <progress max={Math.max(1, deep.total)} value={deep.done} aria-label={ZEROSHOT_WORDS.deepButton} data-testid="deep-progress" />}
      <p class="hint" id="deep-hint">
        {ZEROSHOT_WORDS.deepHint(m, zeroShot.backend === 'wasm')}
      </p>
      {note && (
        <p class="note warn" role="alert">
          {note}
        </p>
      )}
    </div>
  );
}

export function PageSection(props: {
  page: PageState;
  scan: () => void;
  tabId: number | null;
  optionsHref: string;
  onOpenOptions: (e: Event) => void;
  /** Flags depend on it: a high score can stay unflagged at low sensitivity. */
  sensitivity?: Sensitivity;
  /** The zero-shot detector the settings name (null: none): offers the deep check. */
  zeroShot?: ZeroShotStatus | null;
  /** Watch the report for a moment (a deep check started). */
  onDeep?: () => void;
  /** What an export records besides the report (time, detector, models, sensitivity); null until known. */
  exportContext?: () => ExportContext | null;
}) {
  const { page, scan, tabId } = props;
  const [note, setNote] = useState<string | null>(null);
  const [sortFlagged, setSortFlagged] = useState(false);

  if (page.kind === 'loading') {
    return (
      <section class="card page" aria-busy="true">
        <p class="summary" data-testid="summary" role="status">
          {t('popupLooking')}
        </p>
      </section>
    );
  }
  if (page.kind === 'unavailable') {
    return (
      <section class="card page">
        <p class="summary" data-testid="summary" role="status">
          {t('popupCannotScan')}
        </p>
        <p class="note" data-testid="page-message">
          {page.message}
        </p>
      </section>
    );
  }
  if (page.kind === 'not-scanned' || page.kind === 'starting') {
    const starting = page.kind === 'starting';
    return (
      <section class="card page">
        <p class="summary" data-testid="summary" role="status" aria-live="polite">
          {starting ? t('popupStarting') : t('popupNotScanned')}
        </p>
        {page.kind === 'not-scanned' && page.message && (
          <p class="note warn" data-testid="page-message" role="alert">
            {page.message}
          </p>
        )}
        <button type="button" class="primary" onClick={scan} disabled={starting || tabId === null} data-testid="scan-button">
          {starting ? t('popupScanning') : t('popupScanThisPage')}
        </button>
        <p class="hint">{t('popupScanHint')}</p>
      </section>
    );
  }

  const { report } = page;
  const s = summarise(report.items);
  const text = summaryText(s, report.scanning);
  const busy = shouldPoll(report);
  const items = sortFlagged ? flaggedFirst(report.items) : report.items;

  return (
    <>
      {report.selection && <SelectionCard selection={report.selection} />}
      <section class="card page" aria-label={t('popupThisPage')}>
        <div class="summary" data-testid="summary" role="status" aria-live="polite" aria-busy={busy}>
          <p class="headline">
            {s.flagged > 0 && <FlagIcon />} {text.headline}
            {s.scored > 0 && props.sensitivity && (
              <>
                {' '}
                <span class="at-sensitivity">{sensitivityText(props.sensitivity).at}</span>
              </>
            )}
          </p>
          {text.levels && <p class="levels-text" data-testid="levels">{text.levels}</p>}
          {/* The share of flagged text is said under the chart. */}
          {text.details.length > 0 && <p class="details">{text.details.join(' · ')}</p>}
        </div>
        {report.items.some((i) => i.state === 'unsupported' && isNotEnglish(i.verdict)) && (
          <p class="hint" data-testid="english-only">
            {t('popupEnglishOnly')}
          </p>
        )}
        {s.scored > 0 && <PageChart items={report.items} />}
        {s.scored > 0 && (
          <p class="hint meaning">
            {numberMeaning()}{' '}
            <a href={props.optionsHref} target="_blank" rel="noopener" onClick={props.onOpenOptions} data-testid="scores-link">
              {t('popupHowOftenWrong')}
            </a>
          </p>
        )}
        <div class="page-actions">
          <button type="button" onClick={scan} disabled={busy} data-testid="scan-button">
            {busy ? t('popupScanning') : t('popupScanAgain')}
          </button>
          {s.flagged > 0 && s.flagged < s.total && (
            <button type="button" class="link" aria-pressed={sortFlagged} onClick={() => setSortFlagged(!sortFlagged)} data-testid="sort-toggle">
              {sortFlagged ? t('popupPageOrder') : t('popupFlaggedFirst')}
            </button>
          )}
        </div>
        {props.zeroShot && tabId !== null && s.total > 0 && (
          <DeepCheck report={report} zeroShot={props.zeroShot} tabId={tabId} onStarted={() => props.onDeep?.()} />
        )}
        {s.total > 0 && props.exportContext && <ExportButtons report={report} context={props.exportContext} />}
      </section>
      {items.length > 0 && tabId !== null && (
        <section class="card list" aria-label={t('popupParagraphs')}>
          <p class="note" aria-live="polite">
            {note ?? ''}
          </p>
          <ul class="items" data-testid="rows">
            {items.map((item) => (
              <Row key={rowId(item)} item={item} tabId={tabId} onRevealFail={setNote} />
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
