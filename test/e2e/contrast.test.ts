/**
 * The marks and the hover card on a light and on a dark page, in real Chromium: the underlines keep
 * 3:1 against the page's background (WCAG 1.4.11), the tinted paragraph's text stays at 4.5:1 (1.4.3),
 * and the card follows the page's own theme with 4.5:1 text. The card sits in a closed shadow root
 * that page scripts and axe-core cannot reach: the test reads it through the debugger protocol (DOM
 * with pierce, computed styles) and the browser's accessibility tree.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CDPSession, Page } from 'puppeteer-core';
import { waitFor } from '../support/browsers.ts';
import { inChromium, sendFromExtension, tabIdOf } from '../support/scenario.ts';
import { contrast, over, parseColor, type Rgba } from '../../src/content/theme.ts';

interface DomNode { nodeId: number; localName?: string; attributes?: string[]; children?: DomNode[]; shadowRoots?: DomNode[] }

function* walk(n: DomNode): Generator<DomNode> {
  yield n;
  for (const c of [...(n.shadowRoots ?? []), ...(n.children ?? [])]) yield* walk(c);
}
const classOf = (n: DomNode) => {
  const a = n.attributes ?? [];
  const i = a.indexOf('class');
  return i >= 0 ? a[i + 1]! : '';
};

/** Computed colours of the hover card's parts, from inside its closed shadow root. */
async function cardColours(cdp: CDPSession): Promise<{ dark: boolean; colours: Record<'background' | 'text' | 'label' | 'share' | 'meta', Rgba> }> {
  const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: DomNode };
  const host = [...walk(root)].find((n) => n.localName === 'telltale-card' && (n.shadowRoots?.length ?? 0) > 0 && [...walk(n)].some((m) => /\bcard\b/.test(classOf(m))));
  assert.ok(host, 'the card host with its shadow root');
  const inside = [...walk(host!)];
  const style = async (n: DomNode | undefined, prop: string) => {
    assert.ok(n, `a node for ${prop}`);
    const { computedStyle } = (await cdp.send('CSS.getComputedStyleForNode', { nodeId: n!.nodeId })) as { computedStyle: { name: string; value: string }[] };
    return parseColor(computedStyle.find((s) => s.name === prop)?.value)!;
  };
  const card = inside.find((n) => /\bcard\b/.test(classOf(n)));
  return {
    dark: /\btheme-dark\b/.test(classOf(card!)),
    colours: {
      background: await style(card, 'background-color'),
      text: await style(card, 'color'),
      label: await style(inside.find((n) => classOf(n) === 'label'), 'color'),
      share: await style(inside.find((n) => classOf(n) === 'share'), 'color'),
      meta: await style(inside.find((n) => classOf(n) === 'meta'), 'color'),
    },
  };
}

/** The colours our stylesheet draws the two marks with (the page can read its adopted sheets, and so can we). */
interface MarkColours { generated: string | null; unclear: string | null; tint: string | null; background: string; text: string }

function markColours(page: Page): Promise<MarkColours> {
  // A string, not a function: the test runner's transpiler would add helpers the page does not have.
  return page.evaluate<[], () => MarkColours>(`(() => {
    const rules = document.adoptedStyleSheets.flatMap((s) => [...s.cssRules].map((r) => r.cssText)).concat(
      [...document.querySelectorAll('style[data-telltale]')].map((s) => s.textContent || ''));
    const colourOf = (name) => {
      const rule = rules.find((r) => r.includes('::highlight(' + name + ')')) || '';
      const m = /text-decoration[^;]*?(#[0-9a-f]{6}|rgba?\\([^)]*\\))/i.exec(rule);
      return m ? m[1] : null;
    };
    const t = /background-color:\\s*(rgba?\\([^)]*\\))/i.exec(rules.find((r) => r.includes('::highlight(telltale-generated)')) || '');
    const body = getComputedStyle(document.body);
    return { generated: colourOf('telltale-generated'), unclear: colourOf('telltale-unclear'), tint: t ? t[1] : null, background: body.backgroundColor, text: body.color };
  })()`);
}

for (const theme of ['light', 'dark'] as const) {
  test(`a ${theme} page: marks at 3:1 against it, tinted text at 4.5:1, a ${theme} card at 4.5:1, the card in the accessibility tree`, async () => {
    await inChromium({ sensitivity: 'high' }, async ({ h, site, control }) => {
      const url = site.url(`theme.html${theme === 'dark' ? '?dark' : ''}`);
      const page = await h.browser.newPage();
      await page.goto(url, { waitUntil: 'load' });
      const tabId = await tabIdOf(control, url);
      assert.deepEqual(await sendFromExtension(control, 'ui:bg:scan-tab', { tabId }), { ok: true });
      const levels = await waitFor(async () => {
        const l = await page.evaluate(() => ['generated', 'unclear', 'human'].map((id) => document.getElementById(id)!.dataset.telltaleLevel ?? null));
        return l.every(Boolean) ? l : null;
      }, 'the three paragraphs to be judged', 60_000);
      assert.deepEqual(levels, ['generated', 'unclear', 'human'], 'the fixture gives one paragraph of each level');

      const c = await markColours(page);
      const bg = parseColor(c.background)!;
      const text = parseColor(c.text)!;
      for (const level of ['generated', 'unclear'] as const) {
        const line = parseColor(c[level]);
        assert.ok(line, `${level}: the underline colour is in our stylesheet`);
        assert.ok(contrast(line!, bg) >= 3, `${level} underline ${c[level]} on ${c.background}: ${contrast(line!, bg).toFixed(2)}:1`);
      }
      assert.ok(contrast(text, bg) >= 4.5, 'the page itself has enough contrast');
      const tinted = over(parseColor(c.tint)!, bg);
      assert.ok(contrast(text, tinted) >= 4.5, `text on the tint: ${contrast(text, tinted).toFixed(2)}:1`);

      // The hover card, as the popup's reveal shows it: the page's theme, readable text.
      const key = await page.evaluate(() => document.getElementById('generated')!.dataset.telltaleKey!);
      await page.bringToFront();
      assert.deepEqual(await sendFromExtension(control, 'ui:cs:reveal', { key }, tabId), { ok: true });
      const cdp = await page.createCDPSession();
      await cdp.send('DOM.enable');
      await cdp.send('CSS.enable');
      const { dark, colours } = await waitFor(() => cardColours(cdp).catch(() => null), 'the hover card');
      assert.equal(dark, theme === 'dark', `a ${theme} card on a ${theme} page`);
      assert.equal(contrast(colours.background, { r: 0, g: 0, b: 0, a: 1 }) < 5, theme === 'dark', 'its background is the theme\'s');
      for (const part of ['text', 'label', 'share', 'meta'] as const) {
        assert.ok(contrast(colours[part], colours.background) >= 4.5, `card ${part}: ${contrast(colours[part], colours.background).toFixed(2)}:1`);
      }

      // The browser's accessibility tree reaches into the closed shadow root: the card is a tooltip
      // whose text says the level, and the paragraph describes itself.
      const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: { role?: { value: string }; name?: { value: string }; description?: { value: string }; childIds?: string[]; nodeId: string }[] };
      const byId = new Map(nodes.map((n) => [n.nodeId, n]));
      const textUnder = (n: (typeof nodes)[number]): string => [n.name?.value ?? '', ...(n.childIds ?? []).map((id) => (byId.get(id) ? textUnder(byId.get(id)!) : ''))].join(' ');
      const tooltip = nodes.find((n) => n.role?.value === 'tooltip');
      assert.ok(tooltip, 'the card is in the accessibility tree as a tooltip');
      assert.match(textUnder(tooltip!), /Likely machine-generated/);
      assert.ok(nodes.some((n) => /^Telltale: Likely machine-generated\./.test(n.description?.value ?? '')), 'the flagged paragraph describes its level');
      await cdp.detach();
    });
  });
}
