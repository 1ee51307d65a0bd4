import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkEnglish } from '../../src/core/language.ts';
import { countWords, normalise } from '../../src/core/normalise.ts';
import { preview, splitParagraphs } from '../../src/core/text.ts';
import { LruCache } from '../../src/core/cache.ts';

test('paragraphs split on blank lines, lines inside a paragraph are joined', () => {
  const doc = 'First line\nsame paragraph.\n\n\n  Second one.  \r\n\r\nThird\n';
  assert.deepEqual(splitParagraphs(doc), ['First line same paragraph.', 'Second one.', 'Third']);
  assert.deepEqual(splitParagraphs(''), []);
  assert.deepEqual(splitParagraphs('\n\n \n'), []);
});

test('preview cuts long text with an ellipsis', () => {
  assert.equal(preview('short'), 'short');
  const p = preview('word '.repeat(100), 20);
  assert.equal(p.length, 20);
  assert.ok(p.endsWith('…'));
});

test('English prose is supported; other languages and scripts are not', () => {
  assert.equal(checkEnglish('The committee met on Tuesday and agreed that the bridge would be repaired before the winter.').supported, true);
  for (const t of [
    '委員会は火曜日に会合し、冬の前に橋を修理することで合意した。',
    'Комитет собрался во вторник и решил отремонтировать мост до зимы.',
    'اجتمعت اللجنة يوم الثلاثاء واتفقت على إصلاح الجسر قبل الشتاء',
    'Le comité s’est réuni mardi et a convenu que le pont serait réparé avant l’hiver prochain.',
    'Der Ausschuss trat am Dienstag zusammen und beschloss, die Brücke vor dem Winter zu reparieren.',
    '12345 67890 !!!! ????',
  ]) {
    const r = checkEnglish(t);
    assert.equal(r.supported, false, t);
    assert.ok(!r.supported && r.reason.length > 0);
  }
});

test('normalise undoes look-alikes, invisible characters and spacing games, and counts them', () => {
  const clean = 'The weather was calm and the sea was quiet.';
  const tricked = 'Thе wеathеr\u200b was cаlm and\u00a0the  sea\u200d was quiet.'; // Cyrillic е/а, zero-width, nbsp
  const n = normalise(tricked);
  assert.equal(n.text, clean);
  assert.equal(n.report.homoglyphs, 4);
  assert.equal(n.report.invisibles, 2);
  assert.ok(n.report.other >= 1);
  const c = normalise(clean);
  assert.deepEqual(c.report, { homoglyphs: 0, invisibles: 0, other: 0 });
  assert.equal(normalise('ｆｕｌｌ ｗｉｄｔｈ').text, 'full width');
  assert.equal(normalise('\u200b\u200b').text, '');
});

test('word counts', () => {
  assert.equal(countWords('It’s a well-known fact, isn’t it?'), 6);
  assert.equal(countWords(''), 0);
  assert.equal(countWords('— … !'), 0);
});

test('LRU cache evicts the least recently used entry', () => {
  const c = new LruCache<string, number>(2);
  c.set('a', 1);
  c.set('b', 2);
  assert.equal(c.get('a'), 1); // a is now the most recent
  c.set('c', 3);
  assert.equal(c.get('b'), undefined);
  assert.equal(c.get('a'), 1);
  assert.equal(c.get('c'), 3);
  assert.equal(c.size, 2);
});

test('LRU cache with a cost budget: the oldest entries go until the total fits', () => {
  const c = new LruCache<string, string>(100, { maxCost: 10, cost: (k, v) => k.length + v.length });
  c.set('a', 'xxx'); // 4
  c.set('b', 'xxx'); // 8
  assert.equal(c.cost, 8);
  c.set('c', 'xxx'); // 12 > 10: a goes
  assert.equal(c.get('a'), undefined);
  assert.deepEqual([c.get('b'), c.get('c'), c.size, c.cost], ['xxx', 'xxx', 2, 8]);
  c.set('b', 'x'); // replaced: 2 + 4
  assert.equal(c.cost, 6);
  c.set('huge', 'x'.repeat(20)); // alone over the budget: not kept, nothing else lost
  assert.deepEqual([c.get('huge'), c.size, c.cost], [undefined, 2, 6]);
  c.clear();
  assert.deepEqual([c.size, c.cost], [0, 0]);
});

test('invisible characters cannot move the cut of a very long text', async () => {
  const { judge, MAX_CHARS } = await import('../../src/core/judge.ts');
  const { loadEmbeddedDetector } = await import('../../src/node/models.ts');
  const detector = await loadEmbeddedDetector();
  const sentence = 'The tide came in slowly over the flat grey sand while the gulls argued above the harbour wall. ';
  const clean = sentence.repeat(Math.ceil((MAX_CHARS * 1.5) / sentence.length));
  const tricked = clean.replace(/ /g, ' \u200b');
  const [a, b] = await judge(detector, [clean, tricked], { sensitivity: 'balanced' });
  assert.equal(a!.state, 'scored');
  assert.equal(b!.p_machine, a!.p_machine);
  assert.ok(b!.normalisation!.invisibles > 0);
});
