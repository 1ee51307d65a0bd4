/** The detector host's message handlers, shared by the Chrome offscreen document and the Firefox background page. */
import type { Handlers } from '../protocol/client.ts';
import type { DetectorService } from './service.ts';
import type { ModelManager } from './models.ts';

export function hostHandlers(service: DetectorService, models: ModelManager): Handlers {
  return {
    'bg:host:score': ({ texts, detector, sensitivity }) => service.score(texts, detector, sensitivity).then((verdicts) => ({ verdicts })),
    'bg:host:status': ({ detector }) => service.statusOf(detector),
    'bg:host:models': async () => ({ models: await models.list() }),
    'bg:host:download': ({ model }) => models.download(model),
    'bg:host:delete-model': ({ model }) => models.remove(model),
  };
}
