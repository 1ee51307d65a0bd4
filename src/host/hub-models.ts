/** Placeholder until the Hub download manager is wired in (issue 4). */
import type { Backend } from '../core/runtime.ts';
import type { ModelEntryStatus } from '../protocol/messages.ts';
import type { ModelManager } from './models.ts';
import type { LoadedDetector } from './service.ts';

export function createHubModels(_onChange: (models: ModelEntryStatus[]) => void): ModelManager & {
  load(id: string, backend: Backend, onProgress: (p: number) => void, embedded: (f: string) => Promise<Uint8Array>): Promise<LoadedDetector>;
} {
  return {
    list: async () => [],
    download: async () => ({ ok: false, error: 'Model downloads are not available in this build.' }),
    remove: async () => ({ ok: false, error: 'No such model.' }),
    load: async (id) => {
      throw new Error(`unknown detector "${id}"`);
    },
  };
}
