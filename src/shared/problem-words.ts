/** A host problem (src/core/problem.ts) in the reader's language: a whole sentence. */
import { isProblem, type Problem } from '../core/problem.ts';
import { t } from './i18n.ts';

export function problemText(p: Problem): string {
  switch (p.code) {
    case 'offline':
      return t('problemOffline');
    case 'hub-refused':
      return t('problemHubRefused', p.detail ?? '');
    case 'integrity':
      return t('problemIntegrity');
    case 'storage-full':
      return t('problemStorageFull');
    case 'memory':
      return t('problemMemory');
    case 'downloading':
      return t('problemDownloading');
    case 'unknown-model':
      return t('problemUnknownModel');
    default:
      return p.detail ? t('problemFailedBecause', p.detail) : t('problemFailed');
  }
}

/** What to show for a host answer: its problem in words where it has one, else its own `error` text, else nothing. */
export function problemOrError(x: { problem?: unknown; error?: string } | null | undefined): string | undefined {
  if (isProblem(x?.problem)) return problemText(x.problem);
  return x?.error?.trim() || undefined;
}
