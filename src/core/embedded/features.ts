/**
 * Features of the embedded detector. This file is the ONE implementation: the training pipeline dumps
 * features through it (scripts/train/dump-features.ts) and the detector computes them at run time, in
 * Node and in every browser, so the model sees exactly what it was trained on.
 *
 * Input is text already passed through `normalise()`. Everything here is deterministic integer and
 * float32-safe arithmetic over UTF-16 code units (no locale, no Intl, no Math.random):
 *
 *  - canonical form: ASCII case folded (other letters through toLowerCase when it keeps one code unit),
 *    digits -> '0', every whitespace run -> one space. Case games and whitespace games vanish here.
 *  - hashed char 3..5-grams of the canonical form (across word boundaries, padded with a space),
 *  - hashed word 1..2-grams (words are runs of letters/digits/apostrophes; each other symbol is a token),
 *  - per group, value = (1 + ln count) / L2 norm of the group, so a paragraph's length does not scale it,
 *  - a handful of stylometric "dense" features (sentence-length burstiness, punctuation rates, ...).
 *
 * FNV-1a over code units with a seed, then murmur3's fmix32, modulo a power-of-two table size.
 */

export const FEATURE_VERSION = 1;

export interface FeatureConfig {
  version: number;
  seed: number;
  /** log2 of the hash table size. */
  bucketBits: number;
  charMin: number;
  charMax: number;
  wordMax: number;
}

export const DEFAULT_FEATURE_CONFIG: FeatureConfig = {
  version: FEATURE_VERSION,
  seed: 0x7e11a1e,
  bucketBits: 21,
  charMin: 3,
  charMax: 5,
  wordMax: 2,
};

export const DENSE_NAMES = [
  'log_chars',
  'log_words',
  'mean_word_len',
  'sd_word_len',
  'log_sentences',
  'mean_sent_words',
  'sd_sent_words',
  'cv_sent_words',
  'type_token_ratio',
  'hapax_ratio',
  'comma_rate',
  'period_rate',
  'exclaim_rate',
  'question_rate',
  'quote_rate',
  'apostrophe_rate',
  'paren_rate',
  'colon_rate',
  'semicolon_rate',
  'dash_rate',
  'digit_rate',
  'nonascii_rate',
  'function_word_rate',
  'long_word_rate',
  'repeat_bigram_rate',
  'symbol_rate',
] as const;
export const DENSE_DIM = DENSE_NAMES.length;

export interface Features {
  /** Unique table indices, in first-seen order. */
  indices: Int32Array;
  /** One value per index (float32). */
  values: Float32Array;
  dense: Float32Array;
}

/** Where each n-gram occurrence sits, for spreading per-feature contributions over sentences. */
export interface Occurrences {
  /** For every occurrence: slot into `indices`/`values`. */
  slot: Int32Array;
  /** For every occurrence: UTF-16 offset into the input (normalised) text. */
  pos: Int32Array;
  /** Occurrences per slot. */
  count: Int32Array;
}

const FNV_PRIME = 16777619;
const NS_CHAR = 0x43484152; // "CHAR"
const NS_WORD = 0x574f5244; // "WORD"
const NS_BIGRAM = 0x42494752; // "BIGR"

export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a of a string's UTF-16 code units, from a starting state. */
export function fnv1a(s: string, start: number): number {
  let h = start >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

function foldCode(c: number): number {
  if (c >= 65 && c <= 90) return c + 32;
  if (c >= 48 && c <= 57) return 48;
  if (c < 128) return c;
  const lower = String.fromCharCode(c).toLowerCase();
  return lower.length === 1 ? lower.charCodeAt(0) : c;
}

function isSpaceCode(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x2028 || c === 0x2029 || (c >= 0x2000 && c <= 0x200a) || c === 0x3000 || c === 0x202f || c === 0x205f || c === 0x1680;
}

/** Letters (Latin-1 and beyond, approximately: any non-ASCII code unit that folds or is in a letter block), digits, apostrophe. */
function isWordCode(c: number): boolean {
  if ((c >= 97 && c <= 122) || c === 48 || c === 39) return true;
  if (c < 128) return false;
  // Non-ASCII: letters of Latin-1 supplement / extended blocks and other scripts count as word characters;
  // punctuation and symbol blocks do not.
  if (c >= 0x2000 && c <= 0x2bff) return false;
  if (c >= 0x3000 && c <= 0x303f) return false;
  if (c === 0xd7 || c === 0xf7 || (c >= 0xa0 && c <= 0xbf)) return false;
  return true;
}

/** Canonical form and a map from each of its code units back to an offset in the input. */
export function canonicalise(text: string): { canon: string; map: Int32Array } {
  const codes: number[] = [];
  const map = new Int32Array(text.length + 1);
  let n = 0;
  let pendingSpace = false;
  let spacePos = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isSpaceCode(c)) {
      if (!pendingSpace) spacePos = i;
      pendingSpace = true;
      continue;
    }
    if (pendingSpace && n > 0) {
      codes.push(32);
      map[n++] = spacePos;
    }
    pendingSpace = false;
    codes.push(foldCode(c));
    map[n++] = i;
  }
  let canon = '';
  for (let i = 0; i < codes.length; i += 4096) canon += String.fromCharCode(...codes.slice(i, i + 4096));
  return { canon, map: map.subarray(0, n) };
}

const FUNCTION_WORDS = new Set(
  ('the of and to a in is it that for on was with as i be at by this had not are but from or have an they which ' +
    'you were her all she there would their we him been has when who will more no if out so said what up its ' +
    'about into than them can only other new some could time these two may then do first any my now such like ' +
    'our over me even most made after also did many before must through back where much your way well down ' +
    'should because each just those people how too little very make still own see get here between both being ' +
    'under never same another know while might us')
    .split(' '),
);

interface Token {
  hash: number;
  start: number; // offset in canon
  word: boolean;
  len: number;
  text: string;
}

function tokenise(canon: string, seed: number): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = canon.length;
  while (i < n) {
    const c = canon.charCodeAt(i);
    if (c === 32) {
      i++;
      continue;
    }
    if (isWordCode(c)) {
      let j = i + 1;
      while (j < n && isWordCode(canon.charCodeAt(j))) j++;
      const text = canon.slice(i, j);
      tokens.push({ hash: fnv1a(text, seed ^ NS_WORD), start: i, word: true, len: j - i, text });
      i = j;
    } else {
      const text = canon[i]!;
      tokens.push({ hash: fnv1a(text, seed ^ NS_WORD), start: i, word: false, len: 1, text });
      i++;
    }
  }
  return tokens;
}

class Accumulator {
  readonly slotOf = new Map<number, number>();
  readonly idx: number[] = [];
  readonly cnt: number[] = [];
  readonly group: number[] = [];
  readonly occSlot: number[] = [];
  readonly occPos: number[] = [];
  constructor(
    readonly mask: number,
    readonly track: boolean,
  ) {}
  add(hash: number, group: number, pos: number): void {
    // Different groups never share a slot, even when their buckets collide: each slot has one group.
    const bucket = fmix32(hash) & this.mask;
    const key = bucket * 4 + group;
    let slot = this.slotOf.get(key);
    if (slot === undefined) {
      slot = this.idx.length;
      this.slotOf.set(key, slot);
      this.idx.push(bucket);
      this.cnt.push(0);
      this.group.push(group);
    }
    this.cnt[slot]!++;
    if (this.track) {
      this.occSlot.push(slot);
      this.occPos.push(pos);
    }
  }
}

function meanSd(xs: number[]): [number, number] {
  if (xs.length === 0) return [0, 0];
  let s = 0;
  for (const x of xs) s += x;
  const m = s / xs.length;
  let v = 0;
  for (const x of xs) v += (x - m) * (x - m);
  return [m, Math.sqrt(v / xs.length)];
}

export function extractFeatures(
  text: string,
  config: FeatureConfig = DEFAULT_FEATURE_CONFIG,
  track = false,
): Features & { occurrences?: Occurrences } {
  if (config.version !== FEATURE_VERSION) throw new Error(`feature version ${config.version} is not ${FEATURE_VERSION}`);
  const { canon, map } = canonicalise(text);
  const mask = (1 << config.bucketBits) - 1;
  const acc = new Accumulator(mask, track);
  const seed = config.seed >>> 0;

  // Char n-grams over " " + canon + " ".
  const padded = ` ${canon} `;
  const n = padded.length;
  const charStart = (seed ^ NS_CHAR) >>> 0;
  for (let i = 0; i + config.charMin <= n; i++) {
    let h = charStart;
    const pos = map[Math.min(Math.max(i - 1, 0), Math.max(canon.length - 1, 0))] ?? 0;
    for (let k = 0; k < config.charMax && i + k < n; k++) {
      h ^= padded.charCodeAt(i + k);
      h = Math.imul(h, FNV_PRIME);
      if (k + 1 >= config.charMin) acc.add(Math.imul(h, 31) ^ (k + 1), 0, pos);
    }
  }

  // Word n-grams.
  const tokens = tokenise(canon, seed);
  for (let t = 0; t < tokens.length; t++) {
    const tok = tokens[t]!;
    const pos = map[tok.start] ?? 0;
    acc.add(tok.hash, 1, pos);
    if (config.wordMax >= 2 && t > 0) {
      const prev = tokens[t - 1]!;
      acc.add(Math.imul(prev.hash ^ NS_BIGRAM, 0x9e3779b1) ^ tok.hash, 1, map[prev.start] ?? 0);
    }
  }

  // Values: (1 + ln count), L2-normalised per group.
  const m = acc.idx.length;
  const values = new Float32Array(m);
  const norms = [0, 0];
  const raw = new Float64Array(m);
  for (let s = 0; s < m; s++) {
    const v = 1 + Math.log(acc.cnt[s]!);
    raw[s] = v;
    norms[acc.group[s]!]! += v * v;
  }
  const inv = norms.map((x) => (x > 0 ? 1 / Math.sqrt(x) : 0));
  for (let s = 0; s < m; s++) values[s] = raw[s]! * inv[acc.group[s]!]!;

  const dense = denseFeatures(canon, tokens);
  const out: Features & { occurrences?: Occurrences } = { indices: Int32Array.from(acc.idx), values, dense };
  if (track) {
    out.occurrences = {
      slot: Int32Array.from(acc.occSlot),
      pos: Int32Array.from(acc.occPos),
      count: Int32Array.from(acc.cnt),
    };
  }
  return out;
}

function denseFeatures(canon: string, tokens: Token[]): Float32Array {
  const d = new Float32Array(DENSE_DIM);
  const words = tokens.filter((t) => t.word);
  const nw = Math.max(1, words.length);
  const nc = Math.max(1, canon.length);
  // Sentences: split at . ! ? tokens (runs count once).
  const sentLens: number[] = [];
  let cur = 0;
  let prevEnd = false;
  for (const t of tokens) {
    const end = !t.word && (t.text === '.' || t.text === '!' || t.text === '?');
    if (end) {
      if (!prevEnd && cur > 0) {
        sentLens.push(cur);
        cur = 0;
      }
    } else if (t.word) cur++;
    prevEnd = end;
  }
  if (cur > 0) sentLens.push(cur);
  const [wm, wsd] = meanSd(words.map((w) => w.len));
  const [sm, ssd] = meanSd(sentLens);
  const types = new Map<string, number>();
  for (const w of words) types.set(w.text, (types.get(w.text) ?? 0) + 1);
  let hapax = 0;
  for (const c of types.values()) if (c === 1) hapax++;
  const punct = new Map<string, number>();
  let symbols = 0;
  for (const t of tokens) {
    if (!t.word) {
      punct.set(t.text, (punct.get(t.text) ?? 0) + 1);
      if (!/[.,!?'"():;-]/.test(t.text)) symbols++;
    }
  }
  const rate = (...ks: string[]) => ks.reduce((a, k) => a + (punct.get(k) ?? 0), 0) / nw;
  let digits = 0;
  let nonascii = 0;
  for (let i = 0; i < canon.length; i++) {
    const c = canon.charCodeAt(i);
    if (c === 48) digits++;
    else if (c >= 128) nonascii++;
  }
  let fw = 0;
  let long = 0;
  for (const w of words) {
    if (FUNCTION_WORDS.has(w.text)) fw++;
    if (w.len >= 9) long++;
  }
  const bigrams = new Set<string>();
  let repeats = 0;
  for (let i = 1; i < words.length; i++) {
    const k = `${words[i - 1]!.text} ${words[i]!.text}`;
    if (bigrams.has(k)) repeats++;
    else bigrams.add(k);
  }
  // Type/token ratios depend on length: use a moving window of 50 words (MATTR) when long enough.
  let ttr = types.size / nw;
  if (words.length > 50) {
    let sum = 0;
    let windows = 0;
    for (let s = 0; s + 50 <= words.length; s += 25) {
      sum += new Set(words.slice(s, s + 50).map((w) => w.text)).size / 50;
      windows++;
    }
    ttr = sum / windows;
  }
  const vals = [
    Math.log1p(canon.length),
    Math.log1p(words.length),
    wm,
    wsd,
    Math.log1p(sentLens.length),
    Math.min(sm, 100) / 10,
    Math.min(ssd, 100) / 10,
    sm > 0 ? Math.min(ssd / sm, 5) : 0,
    ttr,
    hapax / nw,
    rate(','),
    rate('.'),
    rate('!'),
    rate('?'),
    rate('"'),
    (canon.match(/'/g)?.length ?? 0) / nw,
    rate('(', ')'),
    rate(':'),
    rate(';'),
    rate('-'),
    digits / nc,
    nonascii / nc,
    fw / nw,
    long / nw,
    repeats / nw,
    symbols / nw,
  ];
  for (let i = 0; i < DENSE_DIM; i++) d[i] = vals[i]!;
  return d;
}

/** Sentences of the (normalised) text as UTF-16 ranges, for evidence. */
export function splitSentences(text: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  const re = /[^.!?\n]*(?:[.!?]+["')\]]*|\n|$)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      if (re.lastIndex > text.length) break;
      continue;
    }
    let start = m.index;
    let end = m.index + m[0].length;
    while (start < end && /\s/.test(text[start]!)) start++;
    while (end > start && /\s/.test(text[end - 1]!)) end--;
    if (end > start) out.push({ start, end });
  }
  return out;
}

/** A short, stable fingerprint of the feature implementation on fixed strings, stored in meta.json. */
export function featureFingerprint(config: FeatureConfig = DEFAULT_FEATURE_CONFIG): number {
  const probe = 'Telltale probe: The quick brown fox, 12 times; "jumps" over the lazy dog? Yes! Ça va.';
  const f = extractFeatures(probe, config);
  let h = 0x811c9dc5;
  for (let i = 0; i < f.indices.length; i++) {
    h = Math.imul(h ^ f.indices[i]!, FNV_PRIME);
    h = Math.imul(h ^ Math.round(f.values[i]! * 1e6), FNV_PRIME);
  }
  for (const v of f.dense) h = Math.imul(h ^ Math.round(v * 1e6), FNV_PRIME);
  return h >>> 0;
}
