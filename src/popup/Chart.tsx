/**
 * The page at a glance: one bar per judged paragraph in page order, coloured by level, as tall as the
 * paragraph stands out from human writing (how rarely human-written text scores as high: 1 in 10 is
 * one step, 1 in 100 two, 1 in 1,000 three), and beside it, in words, the share of the judged text
 * (by characters) at the "likely machine-generated" level. Plain inline SVG: at this size a chart
 * library would add weight and nothing else. The rows below stay the accessible detail; the chart is
 * one image with a summary for screen readers.
 */
import type { Level } from '../core/types.ts';
import type { ReportItem } from '../protocol/messages.ts';
import { messageGroup, t, tn } from '../shared/i18n.ts';

/** The chart's words (one place, for the translation catalogue). */
export const CHART_WORDS = messageGroup({ none: 'chartNone' }, {
  share: (pct: string) => t('chartShare', pct),
  label: (n: number, counts: Record<Level, number>, share: string) => tn('chartLabel', n, counts.generated, counts.unclear, counts.human, share),
});

/** Decades of rarity the bars can show (1 in 10,000 and rarer reach the top). */
const MAX_STEPS = 4;
/** The lowest a bar can be, as a share of the chart's height, so that every judged paragraph shows. */
const MIN_HEIGHT = 0.08;

export interface ChartBar {
  /** Row identity (frame and key), in page order. */
  frame: number;
  key: string;
  level: Level;
  /** 0..1 of the chart's height. */
  height: number;
}

export interface ChartModel {
  bars: ChartBar[];
  counts: Record<Level, number>;
  /** Share of judged characters in "likely machine-generated" paragraphs (0..1), null when none judged. */
  generatedShare: number | null;
  /** The share in words ("30%", "<1%"). */
  shareText: string;
}

export function formatShare(x: number): string {
  if (x > 0 && x < 0.01) return '<1%';
  if (x < 1 && x > 0.99) return '>99%';
  return `${Math.round(x * 100)}%`;
}

/** The bars and the share, from the report's items in page order (judged paragraphs only). */
export function chartModel(items: readonly ReportItem[]): ChartModel {
  const counts: Record<Level, number> = { generated: 0, unclear: 0, human: 0 };
  const bars: ChartBar[] = [];
  let judged = 0;
  let generated = 0;
  for (const it of items) {
    const v = it.verdict;
    if (it.state !== 'scored' || !v?.level) continue;
    counts[v.level]++;
    const chars = Number.isFinite(it.chars) && it.chars > 0 ? it.chars : 0;
    judged += chars;
    if (v.level === 'generated') generated += chars;
    const share = v.humanShare?.share;
    const steps = typeof share === 'number' && share > 0 ? Math.min(MAX_STEPS, Math.max(0, -Math.log10(share))) : v.level === 'generated' ? MAX_STEPS / 2 : 0;
    bars.push({ frame: it.frameId ?? 0, key: it.key, level: v.level, height: MIN_HEIGHT + (1 - MIN_HEIGHT) * (steps / MAX_STEPS) });
  }
  const generatedShare = judged > 0 ? generated / judged : null;
  return { bars, counts, generatedShare, shareText: generatedShare === null ? '' : formatShare(generatedShare) };
}

const W = 240;
const H = 36;

export function PageChart({ items }: { items: readonly ReportItem[] }) {
  const m = chartModel(items);
  if (m.bars.length === 0) return null;
  const share = CHART_WORDS.share(m.shareText);
  const n = m.bars.length;
  const slot = W / n;
  const gap = slot >= 4 ? Math.min(2, slot / 4) : 0;
  return (
    <figure class="chart" data-testid="chart">
      <svg
        role="img"
        aria-label={CHART_WORDS.label(n, m.counts, share)}
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
        height={H}
        preserveAspectRatio="none"
        data-testid="chart-svg"
      >
        <line class="chart-base" x1={0} y1={H - 0.5} x2={W} y2={H - 0.5} />
        {m.bars.map((b, i) => {
          const h = b.height * (H - 1);
          return (
            <rect
              key={`${b.frame}:${b.key}`}
              class={`bar bar-${b.level}`}
              data-level={b.level}
              x={i * slot + gap / 2}
              y={H - 1 - h}
              width={Math.max(slot - gap, 0.5)}
              height={h}
            />
          );
        })}
      </svg>
      <figcaption class="chart-share" data-testid="chart-share">
        {share}
      </figcaption>
    </figure>
  );
}
