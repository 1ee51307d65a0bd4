/** Downloadable models as the host manages them (see ./hub-models.ts for the Hub implementation). */
import type { ModelEntryStatus } from '../protocol/messages.ts';

export interface ModelManager {
  list(): Promise<ModelEntryStatus[]>;
  download(id: string): Promise<{ ok: boolean; error?: string }>;
  remove(id: string): Promise<{ ok: boolean; error?: string }>;
}
