/**
 * Firefox: no offscreen API, but the background is an event page with a DOM, so the detector host
 * runs right here and requests are plain function calls. Same exports as ../chrome/host.ts.
 */
import type { Handlers } from '../../protocol/client.ts';
import type { MessageType, Req, Res } from '../../protocol/messages.ts';
import { startHost } from '../../host/main.ts';

let host: ReturnType<typeof startHost> | null = null;

export async function hostRequest<T extends MessageType>(type: T, payload: Req<T>): Promise<Res<T>> {
  host ??= startHost();
  const fn = host.handlers[type] as ((p: Req<T>, s: object) => Promise<Res<T>> | Res<T>) | undefined;
  if (!fn) throw new Error(`the detector host does not handle ${type}`);
  return fn(payload, {});
}

export const platformHandlers: Handlers = {};

export const platformName = 'firefox' as const;
