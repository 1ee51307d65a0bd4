/**
 * User settings, validated property by property: a bad stored value falls back to its default
 * instead of breaking the extension. Pure; storage access is in src/shared/settings.ts.
 */
import { DEFAULT_SENSITIVITY, SENSITIVITIES, type Sensitivity } from './types.ts';
import { isZeroShotId, type Settings } from '../protocol/messages.ts';

/**
 * The default: the built-in detector, or the calibrated combination of it with a downloaded RoBERTa
 * once that model is ready (the host resolves it per request; see src/host/hub-models.ts).
 */
export const AUTO_DETECTOR = 'auto';
export const DEFAULT_DETECTOR = AUTO_DETECTOR;
export const SETTINGS_VERSION = 1;

const DETECTOR_LABELS: Record<string, string> = {
  embedded: 'Built-in',
  'roberta-base': 'RoBERTa-base',
  'roberta-large': 'RoBERTa-large',
  combined: 'Combined',
  auto: 'Automatic',
  'fast-detectgpt': 'Fast-DetectGPT',
  binoculars: 'Binoculars',
};

/** A detector id as people read it (an unknown id, e.g. a model from `--hub`, as itself). */
export function detectorLabel(id: string): string {
  return DETECTOR_LABELS[id] ?? id;
}

export const DEFAULT_SETTINGS: Settings = Object.freeze({
  sensitivity: DEFAULT_SENSITIVITY,
  autoScan: false,
  sites: {},
  detector: DEFAULT_DETECTOR,
  zeroShot: null,
});

export function sanitiseSettings(raw: unknown): Settings {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const sites: Record<string, boolean> = {};
  if (typeof r.sites === 'object' && r.sites !== null) {
    for (const [host, on] of Object.entries(r.sites)) if (typeof on === 'boolean' && host.length < 256) sites[host] = on;
  }
  return {
    sensitivity: SENSITIVITIES.includes(r.sensitivity as Sensitivity) ? (r.sensitivity as Sensitivity) : DEFAULT_SETTINGS.sensitivity,
    autoScan: typeof r.autoScan === 'boolean' ? r.autoScan : DEFAULT_SETTINGS.autoScan,
    sites,
    detector: typeof r.detector === 'string' && r.detector.length < 100 ? r.detector : DEFAULT_SETTINGS.detector,
    zeroShot: isZeroShotId(r.zeroShot) ? r.zeroShot : null,
  };
}

/** Whether pages of `hostname` are scanned automatically (the site override wins). */
export function autoScanFor(settings: Settings, hostname: string): boolean {
  return settings.sites[hostname] ?? settings.autoScan;
}

// Host access for automatic scanning, and the intent the UI leaves when a permission prompt may close it
// (see src/shared/pending-grant.ts). Pure, shared by the popup, the options page and the background.

/** Match pattern for one site's host permission. */
export function sitePattern(hostname: string): string {
  return `*://${hostname}/*`;
}

export const ALL_SITES_PATTERN = '<all_urls>';

export interface PendingGrant {
  /** null: all sites (the global switch). */
  host: string | null;
  at: number;
}

/** An intent older than this was abandoned (prompt dismissed, browser closed). */
export const PENDING_GRANT_MAX_AGE_MS = 10 * 60_000;

/** The settings change a granted intent stands for, or null (pure, for tests). */
export function patchForGrant(intent: unknown, settings: Settings, now: number): Partial<Settings> | null {
  if (typeof intent !== 'object' || intent === null) return null;
  const { host, at } = intent as Partial<PendingGrant>;
  if (typeof at !== 'number' || now - at > PENDING_GRANT_MAX_AGE_MS || now < at - 60_000) return null;
  if (typeof host === 'string' && host.length > 0 && host.length < 256) {
    return settings.sites[host] === true ? null : { sites: { ...settings.sites, [host]: true } };
  }
  if (host === null) return settings.autoScan ? null : { autoScan: true };
  return null;
}
