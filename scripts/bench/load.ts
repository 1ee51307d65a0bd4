/**
 * `npm run bench -- load [PAGES]` (default 1000): PAGES pages scanned one after another in one tab of
 * one profile (automatic scanning, the built extension in headless Chromium, embedded detector), each
 * with 30 paragraphs of its own (so that the host really scores, and its verdict cache fills). Reports
 * the service worker's and the offscreen document's memory after a warm-up of 10 pages and every 100
 * pages: the JS heap after a forced garbage collection (CDP HeapProfiler.collectGarbage, then
 * Runtime.getHeapUsage), the resident size of the extension's renderer process (which holds
 * onnxruntime's wasm memory, outside the JS heap), and the growth from the first sample to the last.
 * Target: under 10% growth. The growth over the run's last 30% tells a leak (still growing) from a JIT
 * that compiled its hot functions early in the run and then stops.
 * `--heap-diff A,B` (pages) also takes a heap snapshot of the service worker after pages A and B and
 * prints what grew between them, by V8 node type and name (compiled code apart from objects).
 * Build first (`npm run build`).
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { CDPSession, Target } from 'puppeteer-core';
import { launchChromium, waitFor } from '../../test/support/browsers.ts';
import { paragraphs } from '../../test/support/faults.ts';
import { sendFromExtension, storeSettings, tabIdOf } from '../../test/support/scenario.ts';

const PER_PAGE = 30;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

interface Heap {
  usedSize: number;
  totalSize: number;
  backingStorageSize?: number;
  embedderHeapUsedSize?: number;
}

async function heapOf(s: CDPSession): Promise<Heap> {
  await s.send('HeapProfiler.collectGarbage');
  return (await s.send('Runtime.getHeapUsage')) as unknown as Heap;
}

/**
 * Resident memory of the extension's renderer process (Linux /proc): the service worker, the offscreen
 * document (with onnxruntime's wasm memory, which the JS heap figures leave out) and the control page
 * share it. Chromium marks it with --extension-process.
 */
async function extensionRss(browserSession: CDPSession): Promise<number | undefined> {
  const info = (await browserSession.send('SystemInfo.getProcessInfo').catch(() => null)) as { processInfo: { id: number; type: string }[] } | null;
  for (const p of info?.processInfo ?? []) {
    if (p.type !== 'renderer') continue;
    try {
      if (!readFileSync(`/proc/${p.id}/cmdline`, 'utf8').includes('--extension-process')) continue;
      const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p.id}/status`, 'utf8'))?.[1]);
      return kb * 1000;
    } catch {
      /* gone */
    }
  }
  return undefined;
}

const mb = (b: number | undefined) => (b === undefined ? '-' : (b / 1e6).toFixed(1));

/** Self sizes of a heap snapshot by (node type, name); strings and code by type (and code kind) only. */
async function heapSnapshotSizes(s: CDPSession): Promise<Map<string, { n: number; bytes: number }>> {
  await s.send('HeapProfiler.enable');
  await s.send('HeapProfiler.collectGarbage');
  const chunks: string[] = [];
  const on = (e: { chunk: string }) => chunks.push(e.chunk);
  s.on('HeapProfiler.addHeapSnapshotChunk', on);
  await s.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  s.off('HeapProfiler.addHeapSnapshotChunk', on);
  const snap = JSON.parse(chunks.join('')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const f = snap.snapshot.meta.node_fields;
  const [ti, ni, si, width] = [f.indexOf('type'), f.indexOf('name'), f.indexOf('self_size'), f.length];
  const types = snap.snapshot.meta.node_types[0];
  const out = new Map<string, { n: number; bytes: number }>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + ti]!]!;
    const name = snap.strings[snap.nodes[i + ni]!]!;
    const key = /string/.test(type) ? type : type === 'code' ? `code: ${name.split(' / ').slice(0, 2).join(' / ')}` : `${type}: ${name.slice(0, 60)}`;
    const e = out.get(key) ?? { n: 0, bytes: 0 };
    e.n++;
    e.bytes += snap.nodes[i + si]!;
    out.set(key, e);
  }
  return out;
}

function printHeapDiff(a: Map<string, { n: number; bytes: number }>, b: Map<string, { n: number; bytes: number }>, what: string): void {
  const keys = [...new Set([...a.keys(), ...b.keys()])];
  const d = keys.map((k) => ({ k, bytes: (b.get(k)?.bytes ?? 0) - (a.get(k)?.bytes ?? 0), n: (b.get(k)?.n ?? 0) - (a.get(k)?.n ?? 0) }));
  const total = (m: typeof a, code: boolean) => [...m].filter(([k]) => k.startsWith('code') === code).reduce((x, [, v]) => x + v.bytes, 0);
  console.log(`\n${what}: compiled code ${total(a, true)} -> ${total(b, true)} bytes; everything else ${total(a, false)} -> ${total(b, false)} bytes. Largest changes:`);
  for (const x of d.filter((x) => x.bytes !== 0).sort((p, q) => Math.abs(q.bytes) - Math.abs(p.bytes)).slice(0, 12)) {
    console.log(`  ${x.bytes > 0 ? '+' : ''}${x.bytes} bytes, ${x.n > 0 ? '+' : ''}${x.n} nodes  ${x.k}`);
  }
}

export async function run(): Promise<void> {
  const args = process.argv.slice(3);
  const diffAt = (() => {
    const i = args.indexOf('--heap-diff');
    if (i < 0) return null;
    const at = (args.splice(i, 2)[1] ?? '').split(',').map(Number);
    if (at.length !== 2 || !at.every((x) => Number.isInteger(x) && x > 0)) throw new Error('--heap-diff A,B: two page counts');
    return at as [number, number];
  })();
  const pages = Number(args[0] ?? process.env.PAGES ?? 1000);
  const server = createServer((req, res) => {
    const m = /^\/load-(\d+)\.html$/.exec(req.url ?? '');
    if (!m) return void res.writeHead(404).end();
    const body = paragraphs(10_000 + Number(m[1]), PER_PAGE).map((t) => `<p>${esc(t)}</p>`).join('\n');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>load ${m[1]}</title></head><body><main>${body}</main></body></html>`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const h = await launchChromium({ webgpu: false });
  const t0 = Date.now();
  try {
    await h.worker();
    const control = await h.openExtensionPage('options.html');
    await storeSettings(control, { autoScan: true });
    const sessions = new Map<string, CDPSession>();
    const session = async (kind: 'worker' | 'offscreen'): Promise<CDPSession> => {
      const find = (t: Target) => t.url().startsWith(h.base) && (kind === 'worker' ? t.type() === 'service_worker' : t.url().endsWith('/offscreen.html'));
      const target = await waitFor(() => h.browser.targets().find(find), `the ${kind}`);
      const key = `${kind}:${(target as unknown as { _targetId?: string })._targetId ?? target.url()}`;
      let s = sessions.get(key);
      if (!s) {
        for (const k of [...sessions.keys()]) if (k.startsWith(`${kind}:`)) sessions.delete(k); // a restarted context
        s = await target.createCDPSession();
        await s.send('Runtime.enable');
        sessions.set(key, s);
      }
      return s;
    };
    const tab = await h.browser.newPage();
    const rows: { page: number; worker: Heap; offscreen: Heap; rss?: number; ms: number }[] = [];
    const browserSession = await h.browser.target().createCDPSession();
    let tabId = -1;
    const snapshots: Map<string, { n: number; bytes: number }>[] = [];
    for (let i = 0; i < pages; i++) {
      const url = `${origin}/load-${i}.html`;
      await tab.goto(url, { waitUntil: 'load' });
      if (tabId < 0) tabId = await tabIdOf(control, url);
      await waitFor(
        async () => {
          const r = await sendFromExtension<{ scanning: boolean; items: { state: string }[] }>(control, 'ui:cs:report', {}, tabId).catch(() => null);
          return r && !r.scanning && r.items.length === PER_PAGE && r.items.every((x) => x.state !== 'pending');
        },
        `page ${i} to settle`,
        60_000,
        50,
      );
      if (diffAt?.includes(i + 1)) snapshots.push(await heapSnapshotSizes(await session('worker')));
      if (i + 1 === 10 || (i + 1) % 100 === 0 || i + 1 === pages) {
        const worker = await heapOf(await session('worker'));
        const offscreen = await heapOf(await session('offscreen'));
        const rss = await extensionRss(browserSession);
        rows.push({ page: i + 1, worker, offscreen, rss, ms: Date.now() - t0 });
        console.log(
          `after ${String(i + 1).padStart(5)} pages (${((Date.now() - t0) / 1000).toFixed(0)} s): worker heap ${mb(worker.usedSize)} MB; offscreen heap ${mb(offscreen.usedSize)} MB; extension process resident ${mb(rss)} MB`,
        );
      }
    }
    const first = rows[0]!;
    const last = rows.at(-1)!;
    const growth = (a: number | undefined, b: number | undefined) => (a && b !== undefined ? `${(((b - a) / a) * 100).toFixed(1)}%` : '-');
    console.log('\n| context | measure | after 10 pages (MB) | after %d pages (MB) | growth |'.replace('%d', String(last.page)));
    console.log('|---|---|---|---|---|');
    console.log(`| service worker | JS heap used | ${mb(first.worker.usedSize)} | ${mb(last.worker.usedSize)} | ${growth(first.worker.usedSize, last.worker.usedSize)} |`);
    console.log(`| offscreen document | JS heap used | ${mb(first.offscreen.usedSize)} | ${mb(last.offscreen.usedSize)} | ${growth(first.offscreen.usedSize, last.offscreen.usedSize)} |`);
    console.log(`| extension renderer process (worker, offscreen document with its wasm memory, control page) | resident (RSS) | ${mb(first.rss)} | ${mb(last.rss)} | ${growth(first.rss, last.rss)} |`);
    // A leak keeps growing; a JIT that has warmed up does not. The same figures over the run's last 30%:
    const late = rows.find((r) => r.page >= Math.round(last.page * 0.7));
    if (late && late !== last) {
      console.log(
        `\nover the last ${last.page - late.page} pages (${late.page} -> ${last.page}): service worker ${growth(late.worker.usedSize, last.worker.usedSize)}, offscreen document ${growth(late.offscreen.usedSize, last.offscreen.usedSize)}, extension process resident ${growth(late.rss, last.rss)}`,
      );
    }
    if (diffAt && snapshots.length === 2) printHeapDiff(snapshots[0]!, snapshots[1]!, `service worker heap snapshots after ${diffAt[0]} and ${diffAt[1]} pages`);
    console.log(`\n${last.page} pages, ${last.page * PER_PAGE} paragraphs in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    console.log(JSON.stringify({ pages: last.page, rows }));
  } finally {
    await h.close();
    server.close();
    server.closeAllConnections();
  }
}
