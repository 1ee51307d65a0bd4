/**
 * `npm start`: the dev loop. Watches the build (the same esbuild contexts as `npm run build`, from
 * scripts/build.ts) and runs the extension in a browser that picks up every rebuild.
 *
 *   npm start                    Chromium with dist/chrome loaded; the extension is reloaded after each rebuild
 *   npm start -- firefox         Firefox ESR through `web-ext run` on dist/firefox (web-ext reloads it itself)
 *   npm start -- --headless      no window (for machines without a display, and the e2e test)
 *
 * Each browser keeps its profile in `.cache/dev-profile/<browser>/` between runs (settings, downloaded
 * models). Ctrl-C stops the watchers and the browser. `startDev()` is the same loop for tests: it can
 * build elsewhere, in a throwaway profile, and exposes `rebuild()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser as PuppeteerBrowser, type Target as PuppeteerTarget, type WebWorker } from 'puppeteer-core';
import { createBuild, defaultConfig, ROOT, type Browser, type BuildConfig, type BuildHandle } from './build.ts';
import { CHROMIUM, CHROMIUM_ARGS, FIREFOX } from './browser/flags.ts';

export interface DevOptions {
  browser: Browser;
  headless?: boolean;
  /** Build output root (default `dist/`); the browser runs `<out>/<browser>/`. */
  out?: string;
  /** Browser profile (default `.cache/dev-profile/<browser>/`). */
  profile?: string;
  /** Passed to the build: a folder copied into the extension and watched (tests). */
  extraStatic?: string;
  /** Where the loop's messages go (default: the console). */
  log?: (line: string) => void;
}

export interface DevLoop {
  /** Rebuilds now, as a saved change does; resolves once the browser runs the new build. */
  rebuild(): Promise<void>;
  /** Builds so far; Chromium shows it as the extension's version name (`X.Y.Z dev build 3`). */
  readonly builds: number;
  /** Chromium only: the browser, the extension's id and its running service worker. */
  browser?: PuppeteerBrowser;
  extensionId?: string;
  worker(): Promise<WebWorker>;
  /** Stops the watchers and closes the browser. */
  stop(): Promise<void>;
  /** Settles when the loop has stopped (stop(), or the browser was closed). */
  done: Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** `p`, or a rejection after `ms` (a dead worker's evaluate never settles). */
const within = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), ms).unref())]);
const devVersionName = (version: unknown, build: number) => `${String(version)} dev build ${build}`;

/** One "the browser runs the new build" at a time, after the contexts have all gone quiet. */
class Rounds {
  private inFlight = 0;
  private changed = false;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private waiters: { resolve(): void; reject(e: unknown): void }[] = [];
  constructor(private readonly apply: () => Promise<void>, private readonly log: (s: string) => void) {}

  start(): void {
    this.inFlight++;
    clearTimeout(this.timer);
  }

  end(ok: boolean): void {
    this.inFlight--;
    if (ok) this.changed = true;
    else this.log('build failed (errors above); the browser keeps the last good build');
    if (this.inFlight === 0 && this.changed) {
      // A save can wake several contexts a moment apart: wait for them to settle.
      this.timer = setTimeout(() => {
        this.changed = false;
        const waiters = this.waiters.splice(0);
        this.chain = this.chain.then(this.apply).then(
          () => {
            for (const w of waiters) w.resolve();
          },
          (err) => {
            this.log(`could not load the new build: ${String(err)}`);
            for (const w of waiters) w.reject(err);
          },
        );
      }, 200);
    }
  }

  /** Settles after the next apply. */
  next(): Promise<void> {
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

export async function startDev(opts: DevOptions): Promise<DevLoop> {
  const log = opts.log ?? ((s: string) => console.log(`[telltale dev] ${s}`));
  const browserName = opts.browser;
  const profile = opts.profile ?? join(ROOT, '.cache/dev-profile', browserName);
  mkdirSync(profile, { recursive: true });
  let builds = 0;
  let versionName = '';
  const cfg: BuildConfig = {
    ...defaultConfig(),
    ...(opts.out ? { out: opts.out } : {}),
    ...(opts.extraStatic ? { extraStatic: opts.extraStatic } : {}),
    manifest: (m, b) => {
      builds++;
      // Chrome shows version_name on chrome://extensions: which build is loaded. Firefox has no such key.
      versionName = devVersionName(m.version, builds);
      return b === 'chrome' ? { ...m, version_name: versionName } : m;
    },
  };
  const extDir = join(cfg.out, browserName);
  const shown = relative(process.cwd(), extDir) || '.';

  let stopped = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  let handle: BuildHandle | undefined;
  let chromium: PuppeteerBrowser | undefined;
  let webExt: ChildProcess | undefined;
  let extensionId: string | undefined;
  let base = '';

  /** The extension's service-worker targets, oldest first: after a reload the old one can linger, dead, for a while. */
  const workers: PuppeteerTarget[] = [];
  const chromiumWorker = async (manifestCheck?: (m: { version_name?: string }) => boolean): Promise<WebWorker> => {
    const t0 = Date.now();
    while (Date.now() - t0 < 20_000) {
      const newest = workers.at(-1);
      if (newest) {
        try {
          const w = await within(newest.worker(), 2_000);
          // The target exists before the module's top-level code has run.
          if (w && (await within(w.evaluate('typeof globalThis.telltaleBackground === "object"'), 2_000))) {
            if (!manifestCheck || manifestCheck((await within(w.evaluate('chrome.runtime.getManifest()'), 2_000)) as { version_name?: string })) return w;
          }
        } catch {
          // a worker that is starting or going away
        }
      }
      await sleep(100);
    }
    throw new Error('the extension’s service worker did not start');
  };

  const firstLoad = async (): Promise<void> => {
    if (browserName === 'chrome') {
      chromium = await puppeteer.launch({
        executablePath: CHROMIUM,
        headless: opts.headless ?? false,
        pipe: true,
        enableExtensions: true,
        userDataDir: profile,
        defaultViewport: null,
        args: [...CHROMIUM_ARGS],
        // Ctrl-C is ours: stop() disposes the watchers and closes the browser (puppeteer's own handler would exit at once).
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      });
      chromium.on('disconnected', () => {
        if (!stopped) log('Chromium was closed');
        void stop();
      });
      const isOurs = (t: PuppeteerTarget) => t.type() === 'service_worker' && base !== '' && t.url().startsWith(base);
      chromium.on('targetcreated', (t: PuppeteerTarget) => void (isOurs(t) && workers.push(t)));
      chromium.on('targetdestroyed', (t: PuppeteerTarget) => void (workers.includes(t) && workers.splice(workers.indexOf(t), 1)));
      extensionId = await chromium.installExtension(extDir);
      base = `chrome-extension://${extensionId}/`;
      for (const t of chromium.targets()) if (isOurs(t) && !workers.includes(t)) workers.push(t);
      await chromiumWorker();
      log(`Chromium runs ${shown} (build ${builds}, extension ${extensionId}, profile ${relative(process.cwd(), profile)}); edit a file and it is rebuilt and reloaded`);
    } else {
      const args = ['run', '--source-dir', extDir, '--firefox', FIREFOX, '--firefox-profile', profile, '--profile-create-if-missing', '--keep-profile-changes', '--no-config-discovery'];
      webExt = spawn(join(ROOT, 'node_modules/.bin/web-ext'), args, {
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, ...(opts.headless ? { MOZ_HEADLESS: '1' } : {}) },
      });
      webExt.on('exit', (code) => {
        if (!stopped) log(`web-ext exited (${code})`);
        void stop();
      });
      log(`web-ext runs Firefox on ${shown} (profile ${relative(process.cwd(), profile)}); it reloads the add-on when the build changes`);
    }
  };

  let loaded = false;
  const apply = async (): Promise<void> => {
    if (stopped) return;
    if (!loaded) {
      loaded = true;
      await firstLoad();
      return;
    }
    if (browserName === 'firefox') {
      log(`rebuilt ${shown} (build ${builds}); web-ext reloads the add-on`);
      return;
    }
    // Loading the same folder again reloads the extension (same id), whether its worker is running or asleep.
    const want = versionName;
    await chromium!.installExtension(extDir);
    await chromiumWorker((m) => m.version_name === want);
    log(`rebuilt and reloaded the extension (build ${builds}); reload open pages for the new content script`);
  };
  const rounds = new Rounds(apply, log);

  const stop = async (): Promise<void> => {
    if (stopped) return done;
    stopped = true;
    rounds.stop();
    await handle?.dispose().catch(() => undefined);
    if (chromium) {
      const proc = chromium.process();
      await Promise.race([chromium.close().catch(() => undefined), sleep(5_000)]);
      if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    }
    if (webExt && webExt.exitCode === null) {
      webExt.kill('SIGINT');
      await Promise.race([new Promise((r) => webExt!.once('exit', r)), sleep(5_000)]);
      if (webExt.exitCode === null) webExt.kill('SIGKILL');
    }
    resolveDone();
    return done;
  };

  const ready = rounds.next();
  handle = await createBuild(cfg, [browserName], {
    onStart: () => rounds.start(),
    onEnd: (_t, r) => rounds.end(r.errors.length === 0),
  });
  await handle.watch();
  try {
    await ready;
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    async rebuild() {
      const next = rounds.next();
      await handle!.rebuild();
      await next;
    },
    get builds() {
      return builds;
    },
    browser: chromium,
    extensionId,
    worker: () => (chromium ? chromiumWorker() : Promise.reject(new Error('no service worker in Firefox'))),
    stop,
    done,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const unknown = argv.filter((a) => !['chrome', 'chromium', 'firefox', '--headless'].includes(a));
  if (unknown.length) {
    console.error(`usage: npm start [-- chrome|firefox] [--headless]   (unknown: ${unknown.join(' ')})`);
    process.exit(2);
  }
  const loop = await startDev({ browser: argv.includes('firefox') ? 'firefox' : 'chrome', headless: argv.includes('--headless') });
  let stopping = false;
  const quit = () => {
    if (stopping) return;
    stopping = true;
    console.log('\n[telltale dev] stopping');
    void loop.stop();
  };
  process.on('SIGINT', quit);
  process.on('SIGTERM', quit);
  await loop.done;
  process.exit(0);
}
