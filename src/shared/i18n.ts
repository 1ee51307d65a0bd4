/**
 * Every string a person reads in the extension comes from `extension/_locales/<lang>/messages.json`
 * through the browser's i18n API (popup, options page, the cards and descriptions on pages, the context
 * menu, the badge, the manifest). Outside an extension (the CLI, unit tests) the English catalogue is
 * read directly, with the browsers' placeholder rules, so both paths give the same English.
 *
 * - Keys are typed from the English catalogue: a key that is not in it does not compile.
 * - Placeholders are named (`$COUNT$`), their content is `$1`…`$9`; numbers passed to `t` are formatted
 *   for the catalogue's language (`1,000` / `1.000`).
 * - Plurals: the browsers' i18n has none. A counted message is a family of keys `name_one`,
 *   `name_other` (and `name_few`, `name_many`… where a language has those categories); `tn` picks one
 *   with `Intl.PluralRules` for the catalogue's language.
 * - The catalogue's language is its own message `locale` ("en", "de"): the language the reader actually
 *   gets, which is not always the browser's (a French browser gets the English catalogue, and English
 *   number formats with it).
 *
 * test/unit/i18n.test.ts checks that every locale has every key with the same placeholders, and renders
 * the UI with a marked catalogue to find text that did not come from one.
 */
import en from '../../extension/_locales/en/messages.json' with { type: 'json' };

export type MessageKey = keyof typeof en;
/** The families of counted messages (`x_one`, `x_other`, …), by their base name. */
export type PluralKey = { [K in MessageKey]: K extends `${infer B}_other` ? B : never }[MessageKey];
export type Catalogue = Record<string, { message: string; description?: string; placeholders?: Record<string, { content: string; example?: string }> }>;
export type GetMessage = (key: string, substitutions?: string[]) => string;

/** The browser's i18n, where there is one (Chrome and Firefox both expose `chrome.i18n` in extension contexts). */
function browserGetMessage(): GetMessage | null {
  const api = (globalThis as { chrome?: { i18n?: { getMessage?: GetMessage } } }).chrome?.i18n;
  return typeof api?.getMessage === 'function' ? api.getMessage.bind(api) : null;
}

let override: GetMessage | null = null;
let cachedLocale: string | null = null;
/**
 * Filled messages by key and substitutions: a page of 10,000 paragraphs asks for the same few
 * sentences thousands of times (descriptions, badges). Bounded; emptied when the source changes.
 */
const memo = new Map<string, string>();
const MEMO_MAX = 2000;

/** Tests: read messages from another catalogue (a locale, or a marked one that shows what came from a catalogue). `null`: back to the default. */
export function setMessageSource(fn: GetMessage | null): void {
  override = fn;
  cachedLocale = null;
  memo.clear();
}

/**
 * A message from a catalogue, filled the way the browsers fill it: each `$NAME$` (case-insensitive)
 * becomes its placeholder's content, in which `$1`…`$9` are the substitutions; `$$` is a dollar sign.
 * Substituted text is not read again.
 */
const placeholderMaps = new WeakMap<object, Record<string, string>>();

export function fromCatalogue(catalogue: Catalogue, key: string, subs: readonly string[] = []): string {
  const entry = Object.hasOwn(catalogue, key) ? catalogue[key] : undefined;
  if (!entry) return '';
  if (!entry.message.includes('$')) return entry.message;
  let placeholders = placeholderMaps.get(entry);
  if (!placeholders) {
    placeholders = Object.fromEntries(Object.entries(entry.placeholders ?? {}).map(([k, v]) => [k.toLowerCase(), v.content]));
    placeholderMaps.set(entry, placeholders);
  }
  const fill = (content: string) => content.replace(/\$(\d)/g, (_, d: string) => subs[Number(d) - 1] ?? '');
  return entry.message.replace(/\$\$|\$([A-Za-z0-9_@]+)\$/g, (m, name: string | undefined) => {
    if (name === undefined) return '$';
    const content = placeholders![name.toLowerCase()];
    return content === undefined ? m : fill(content);
  });
}

/** The catalogue's language ("en", "de"), for number formats and plural rules. */
export function uiLocale(): string {
  if (cachedLocale) return cachedLocale;
  const raw = lookup('locale', []);
  let tag = 'en';
  try {
    tag = Intl.getCanonicalLocales(raw.replace(/_/g, '-'))[0] ?? 'en';
  } catch {
    // not a language tag (a test's marked catalogue): English formats
  }
  cachedLocale = tag;
  return tag;
}

/**
 * How the catalogues' languages group the digits of a whole number (groups of three from the right,
 * from four digits on, in both). The content script writes counts into the marks' descriptions as the
 * first answers arrive, and the first Intl.NumberFormat of a page costs its main thread 19 to 35 ms
 * (ICU's set-up, measured in Chromium 150): whole numbers in these languages are written here, the
 * rest by Intl. test/unit/i18n.test.ts holds the two to the same output.
 */
const GROUP_SEPARATOR: Readonly<Record<string, string>> = { en: ',', de: '.' };

const numberFormats = new Map<string, Intl.NumberFormat>();
/** A number as the reader's language writes it (grouping, decimal sign; `options` as Intl's). */
export function formatNumber(n: number, options?: Intl.NumberFormatOptions): string {
  const separator = options ? undefined : GROUP_SEPARATOR[uiLocale()];
  if (separator !== undefined && Number.isSafeInteger(n) && n >= 0) return String(n).replace(/\B(?=(\d{3})+$)/g, separator);
  const key = options ? uiLocale() + JSON.stringify(options) : uiLocale();
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(uiLocale(), options);
    numberFormats.set(key, f);
  }
  return f.format(n);
}

function lookup(key: string, subs: string[]): string {
  const id = subs.length ? `${key}\u0001${subs.join('\u0001')}` : key;
  const hit = memo.get(id);
  if (hit !== undefined) return hit;
  const out = lookupIfAny(key, subs);
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(id, out);
  return out;
}

/** A message where the source or English has one, else ''. */
function lookupIfAny(key: string, subs: string[]): string {
  const source = override ?? browserGetMessage();
  let got = '';
  try {
    got = source ? source(key, subs) : '';
  } catch {
    got = '';
  }
  return got || fromCatalogue(en as Catalogue, key, subs);
}

const sub = (x: string | number) => (typeof x === 'number' ? formatNumber(x) : x);

/** The message `key` in the reader's language, its placeholders filled in order (numbers formatted). English where the locale lacks it. */
export function t(key: MessageKey, ...subs: (string | number)[]): string {
  return lookup(key, subs.map(sub));
}

/**
 * A group of words for one part of the UI: each property of `keys` reads its message when it is used
 * (so the reader's language is the one at render time), beside the functions in `more` for messages
 * with placeholders.
 */
export function messageGroup<K extends Record<string, MessageKey>, M extends object>(keys: K, more: M): { readonly [P in keyof K]: string } & M {
  const out = { ...more } as Record<string, unknown>;
  for (const [name, key] of Object.entries(keys)) Object.defineProperty(out, name, { get: () => t(key), enumerable: true });
  return out as { readonly [P in keyof K]: string } & M;
}

const pluralRules = new Map<string, Intl.PluralRules>();

/** A counted message: `key_one`, `key_other`… chosen for `n` by the language's plural rules; `$1` is `n` (formatted), then `subs`. */
export function tn(key: PluralKey, n: number, ...subs: (string | number)[]): string {
  let rules = pluralRules.get(uiLocale());
  if (!rules) {
    rules = new Intl.PluralRules(uiLocale());
    pluralRules.set(uiLocale(), rules);
  }
  const category = rules.select(n);
  const all = [sub(n), ...subs.map(sub)];
  // A category the catalogue has no form for (English's own families have `one` and `other`): `other`.
  return lookupIfAny(`${key}_${category}`, all) || lookup(`${key}_other`, all);
}

/**
 * A message with parts that are not text (a `<strong>`, a link) in its placeholders: the message split
 * around them, in the translation's order. `parts[i]` fills the i-th substitution (`$1`, `$2`, …).
 */
// Stand-ins for the parts while the message is filled: private-use characters no catalogue holds.
const PART_OPEN = '\uE000';
const PART_CLOSE = '\uE001';
const PART_SPLIT = new RegExp(`${PART_OPEN}(\\d+)${PART_CLOSE}`);

export function tParts<T>(key: MessageKey, ...parts: T[]): (string | T)[] {
  const marks = parts.map((_, i) => `${PART_OPEN}${i}${PART_CLOSE}`);
  const s = lookup(key, marks);
  const out: (string | T)[] = [];
  for (const [i, piece] of s.split(PART_SPLIT).entries()) {
    if (i % 2 === 0) {
      if (piece) out.push(piece);
    } else out.push(parts[Number(piece)]!);
  }
  return out;
}

/** The English catalogue, for tests and tools. */
export const ENGLISH = en as Catalogue;
