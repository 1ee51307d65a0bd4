/**
 * A verdict in words, the same in the hover card, the page's accessible descriptions, the popup and
 * the CLI. The level's words come first; the only number beside them is how often human-written text
 * scores as high (src/core/levels.ts says why it is not P(machine)), which cannot contradict them.
 * Pure (no DOM, no extension API).
 */
import { detectorLabel } from '../core/settings.ts';
import type { HumanShare, Level, Verdict } from '../core/types.ts';

export const LEVEL_WORDS: Record<Level, { long: string; short: string }> = {
  generated: { long: 'Likely machine-generated', short: 'likely generated' },
  unclear: { long: 'Unclear: could be either', short: 'unclear' },
  human: { long: 'Likely human-written', short: 'likely human' },
};

/** A count as people write it: 7, 43, 430, 1,200, 12,000 (two significant digits from 100 up). */
function roundCount(n: number): string {
  const r = n < 100 ? Math.round(n) : Number(n.toPrecision(2));
  return r.toLocaleString('en-US');
}

/** "1 in 430", "fewer than 1 in 1,000", "7 in 10": the share of human-written texts scoring this high. */
export function shareShort(h: HumanShare): string {
  if (h.fewer) return `fewer than 1 in ${roundCount(1 / h.share)}`;
  if (h.share >= 0.5) {
    const tenths = Math.round(h.share * 10);
    return tenths >= 10 ? 'nearly all' : `${tenths} in 10`;
  }
  return `1 in ${roundCount(1 / Math.max(h.share, 1e-9))}`;
}

/** The number as a sentence: "About 1 in 430 human-written texts score this high in our tests." */
export function shareSentence(h: HumanShare): string {
  if (h.fewer) return `Fewer than 1 in ${roundCount(1 / h.share)} human-written texts score this high in our tests.`;
  const s = shareShort(h);
  if (s === 'nearly all') return 'Nearly all human-written texts score at least this high in our tests.';
  return `About ${s} human-written texts score ${h.share >= 0.5 ? 'at least ' : ''}this high in our tests.`;
}

/** Headline words for any verdict. */
export function verdictHeadline(v: Verdict): string {
  switch (v.state) {
    case 'scored':
      return v.level ? LEVEL_WORDS[v.level].long : 'Scored';
    case 'too-short':
      return 'Too short to judge';
    case 'unsupported':
      return v.reason && /english/i.test(v.reason) ? 'Not English: not judged' : 'Not judged';
    case 'error':
      return 'Could not be checked';
  }
}

/** One line for screen readers and tooltips: the level, then the number's sentence (or the reason). */
export function verdictSentence(v: Verdict): string {
  const head = verdictHeadline(v);
  if (v.state === 'scored') return v.humanShare ? `${head}. ${shareSentence(v.humanShare)}` : `${head}.`;
  return v.reason ? `${head}. ${v.reason}` : `${head}.`;
}

/** Each detector's own level when a verdict combines several ("Built-in: likely generated · RoBERTa-base: unclear"); '' otherwise. */
export function partsLine(v: Verdict | undefined): string {
  if (v?.state !== 'scored' || !v.parts) return '';
  return Object.entries(v.parts)
    .map(([id, part]) => `${detectorLabel(id)}: ${part.level ? LEVEL_WORDS[part.level].short : 'no reading'}`)
    .join(' · ');
}
