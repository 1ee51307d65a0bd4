/** How the system browsers are started headless here (see ../shared/docs/browser-testing.md): one place for tests and benchmarks. */
export const CHROMIUM = process.env.TELLTALE_CHROMIUM ?? '/usr/lib/chromium/chromium';
export const FIREFOX = process.env.TELLTALE_FIREFOX ?? '/usr/bin/firefox-esr';

/** Root needs --no-sandbox; the rest keeps Chromium off the (closed) network and quiet. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-default-apps',
  '--disable-quic',
];
