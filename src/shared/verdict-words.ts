/**
 * A verdict in words, the same in the hover card, the page's accessible descriptions, the popup and
 * the CLI, in the reader's language (./i18n.ts; the CLI gets English). The level's words come first;
 * the only number beside them is how often human-written text scores as high (src/core/levels.ts says
 * why it is not P(machine)), which cannot contradict them. Pure (no DOM, no extension API).
 */
import { detectorLabel } from '../core/settings.ts';
import type { HumanShare, Level, Verdict } from '../core/types.ts';
import { isProblem } from '../core/problem.ts';
import { formatNumber, t, type MessageKey } from './i18n.ts';
import { problemText } from './problem-words.ts';

const LEVEL_KEYS: Record<Level, { long: MessageKey; short: MessageKey }> = {
  generated: { long: 'levelGeneratedLong', short: 'levelGeneratedShort' },
  unclear: { long: 'levelUnclearLong', short: 'levelUnclearShort' },
  human: { long: 'levelHumanLong', short: 'levelHumanShort' },
};

/** A level's words: `long` for headlines ("Likely machine-generated"), `short` for badges ("likely generated"). */
export function levelWords(level: Level): { long: string; short: string } {
  const k = LEVEL_KEYS[level];
  return { long: t(k.long), short: t(k.short) };
}

/** A detector as people read it: ours in the reader's language, a model by its own name. */
export function detectorName(id: string | undefined): string {
  if (id === 'embedded') return t('detectorBuiltIn');
  if (id === 'combined') return t('detectorCombined');
  if (id === 'auto') return t('detectorAutomatic');
  return id ? detectorLabel(id) : '';
}

/** A count as people write it: 7, 43, 430, 1,200, 12,000 (two significant digits from 100 up). */
function roundCount(n: number): string {
  const r = n < 100 ? Math.round(n) : Number(n.toPrecision(2));
  return formatNumber(r);
}

/** "1 in 430", "fewer than 1 in 1,000", "7 in 10": the share of human-written texts scoring this high. */
export function shareShort(h: HumanShare): string {
  if (h.fewer) return t('shareShortFewer', roundCount(1 / h.share));
  if (h.share >= 0.5) {
    const tenths = Math.round(h.share * 10);
    return tenths >= 10 ? t('shareShortNearlyAll') : t('shareShortTenths', tenths);
  }
  return t('shareShortOneIn', roundCount(1 / Math.max(h.share, 1e-9)));
}

/** The number as a sentence: "About 1 in 430 human-written texts score this high in our tests." */
export function shareSentence(h: HumanShare): string {
  if (h.fewer) return t('shareSentenceFewer', roundCount(1 / h.share));
  if (h.share >= 0.5) {
    const tenths = Math.round(h.share * 10);
    return tenths >= 10 ? t('shareSentenceNearlyAll') : t('shareSentenceTenths', tenths);
  }
  return t('shareSentenceOneIn', roundCount(1 / Math.max(h.share, 1e-9)));
}

/** Whether an unsupported verdict is so because of its language (older verdicts carry only the English reason). */
export function isNotEnglish(v: Pick<Verdict, 'reason' | 'reasonCode'> | undefined): boolean {
  if (!v) return false;
  if (v.reasonCode) return v.reasonCode === 'not-english' || v.reasonCode === 'not-english-prose';
  return !!v.reason && /english/i.test(v.reason);
}

/** Headline words for any verdict. */
export function verdictHeadline(v: Verdict): string {
  switch (v.state) {
    case 'scored':
      return v.level ? t(LEVEL_KEYS[v.level].long) : t('stateScored');
    case 'too-short':
      return t('stateTooShortLong');
    case 'unsupported':
      return isNotEnglish(v) ? t('stateNotEnglishLong') : t('stateNotJudgedLong');
    case 'error':
      return t('stateErrorLong');
  }
}

/**
 * The verdict's reason in the reader's language, from its code; a reason without a code (from an
 * older host, or a host error) as it came. Undefined when there is none.
 */
export function reasonText(v: Pick<Verdict, 'reason' | 'reasonCode' | 'reasonArgs'> | undefined): string | undefined {
  if (!v) return undefined;
  const a = v.reasonArgs ?? [];
  switch (v.reasonCode) {
    case 'too-short':
      return a[0] ? t('reasonTooShort', Number(a[0]) || a[0]) : t('reasonTooShortNoCount');
    case 'empty':
      return t('reasonEmpty');
    case 'binary':
      return t('reasonBinary');
    case 'no-words':
      return t('reasonNoWords');
    case 'not-english':
      return t('reasonNotEnglish');
    case 'not-english-prose':
      return t('reasonNotEnglishProse');
    case 'failed':
      return a[0] ? t('reasonFailedBecause', a[0]) : t('reasonFailed');
    case 'load-failed': {
      const problem = { code: a[0], ...(a[1] === undefined ? {} : { detail: a[1] }) };
      return isProblem(problem) ? problemText(problem) : t('reasonFailed');
    }
    case 'uncalibrated':
      return t('reasonUncalibrated', a[0] ?? '');
    case 'no-answer':
      return t('reasonNoAnswer');
    case 'not-checked':
      return t('reasonNotChecked', a[0] ?? '');
    default:
      return v.reason;
  }
}

/** One line for screen readers and tooltips: the level, then the number's sentence (or the reason). */
export function verdictSentence(v: Verdict): string {
  const head = t('sentence', verdictHeadline(v));
  const reason = reasonText(v);
  if (v.state === 'scored') return v.humanShare ? t('twoSentences', head, shareSentence(v.humanShare)) : head;
  return reason ? t('twoSentences', head, reason) : head;
}

/** Each detector's own level when a verdict combines several ("Built-in: likely generated · RoBERTa-base: unclear"); '' otherwise. */
export function partsLine(v: Verdict | undefined): string {
  if (v?.state !== 'scored' || !v.parts) return '';
  return Object.entries(v.parts)
    .map(([id, part]) => t('partLevel', detectorName(id), part.level ? levelWords(part.level).short : t('partNoReading')))
    .join(' · ');
}
