/** Reading files packaged inside the extension (models, registry), from any extension page. */
import browser from 'webextension-polyfill';

export async function extensionFile(path: string): Promise<Uint8Array> {
  const res = await fetch(browser.runtime.getURL(path));
  if (!res.ok) throw new Error(`missing ${path} in the extension (${res.status})`);
  return new Uint8Array(await res.arrayBuffer());
}
