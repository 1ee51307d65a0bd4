/** The page's theme and the palettes: WCAG contrast by the formula, each palette meeting it on its theme. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contrast, over, parseColor, themeOfBackground } from '../../src/content/theme.ts';
import { CARD_PALETTE, PALETTE } from '../../src/content/styles.ts';

const c = (s: string) => parseColor(s)!;

test('colours parse as computed styles write them; contrast is WCAG 2.x', () => {
  assert.deepEqual(c('rgb(18, 52, 86)'), { r: 18, g: 52, b: 86, a: 1 });
  assert.deepEqual(c('rgba(255, 170, 40, 0.28)'), { r: 255, g: 170, b: 40, a: 0.28 });
  assert.deepEqual(c('#fff'), { r: 255, g: 255, b: 255, a: 1 });
  assert.equal(c('transparent').a, 0);
  assert.equal(parseColor('red'), null);
  assert.equal(contrast(c('#000'), c('#fff')).toFixed(1), '21.0');
  assert.equal(contrast(c('#777777'), c('#ffffff')).toFixed(2), '4.48'); // the classic just-fails grey
  assert.deepEqual(over(c('rgba(0, 0, 0, 0.5)'), c('#ffffff')), { r: 127.5, g: 127.5, b: 127.5, a: 1 });
  assert.equal(themeOfBackground(c('#121212')), 'dark');
  assert.equal(themeOfBackground(c('#f5f5f0')), 'light');
  assert.equal(themeOfBackground(c('#3b4252')), 'dark');
});

test('each palette meets WCAG on pages of its theme: underlines 3:1, card text 4.5:1', () => {
  const pages = { light: ['#ffffff', '#f4f1ea', '#e9ecef'], dark: ['#000000', '#121212', '#24262b', '#2e3440'] } as const;
  for (const theme of ['light', 'dark'] as const) {
    for (const bg of pages[theme]) {
      assert.equal(themeOfBackground(c(bg)), theme, bg);
      for (const k of ['gen', 'unclear'] as const) assert.ok(contrast(c(PALETTE[theme][k]), c(bg)) >= 3, `${theme} ${k} on ${bg}`);
    }
    const card = CARD_PALETTE[theme];
    for (const k of ['text', 'gen', 'unclear'] as const) assert.ok(contrast(c(card[k]), c(card.bg)) >= 4.5, `${theme} card ${k}`);
  }
});
