/** Downloadable models as the host manages them (see ./hub-models.ts for the Hub implementation). */
import type { Problem } from '../core/problem.ts';
import type { ModelEntryStatus, ZeroShotStatus } from '../protocol/messages.ts';

/** A download or delete: done, or the problem (with its words in English, `error`). */
export type ModelResult = { ok: boolean; error?: string; problem?: Problem };

export interface ModelManager {
  list(): Promise<ModelEntryStatus[]>;
  download(id: string): Promise<ModelResult>;
  remove(id: string): Promise<ModelResult>;
  /** A zero-shot detector's state here (downloaded, backend, calibrated); null for an id the registry lacks. */
  zeroShotStatus?(id: string): Promise<ZeroShotStatus | null>;
}
