/** Chrome offscreen document: hosts the detector. Listener first, then the ready handshake. */
import { handle, isExtensionPage, request } from '../protocol/client.ts';
import { startHost } from '../host/main.ts';

const { handlers } = startHost();
// Only the background (an extension context without a tab) drives the host.
handle('host', handlers, (sender) => isExtensionPage(sender) && !sender.tab);
void request('host:bg:ready', {}).catch(() => undefined);
