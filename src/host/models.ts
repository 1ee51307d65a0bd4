/** Downloadable models as the host manages them (see ./hub-models.ts for the Hub implementation). */
import type { ModelEntryStatus, ZeroShotStatus } from '../protocol/messages.ts';

export interface ModelManager {
  list(): Promise<ModelEntryStatus[]>;
  download(id: string): Promise<{ ok: boolean; error?: string }>;
  remove(id: string): Promise<{ ok: boolean; error?: string }>;
  /** A zero-shot detector's state here (downloaded, backend, calibrated); null for an id the registry lacks. */
  zeroShotStatus?(id: string): Promise<ZeroShotStatus | null>;
}
