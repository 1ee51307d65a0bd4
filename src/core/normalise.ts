/**
 * Undo the cheap tricks that fool detectors before anything is scored: look-alike letters from other
 * scripts (Cyrillic "а" for Latin "a"), invisible characters (zero-width spaces, joiners, soft hyphens,
 * bidi controls), compatibility forms (full-width letters, ligatures) and whitespace games. The counts
 * are reported: a paragraph full of homoglyphs is itself a signal worth showing to the user.
 *
 * Two forms (types.ts TextForm): `repair()` only removes invisible characters and replaces look-alike
 * letters, for detectors that read text as written; `normalise()` goes on to plain typography, case and
 * spacing, for the embedded detector.
 */
import type { NormalisationReport, TextForm } from './types.ts';

/** Cyrillic, Greek and other letters that render like basic Latin letters (Unicode confusables, subset). */
const LOOKALIKE_LETTERS: Record<string, string> = {
  // Cyrillic
  'а': 'a', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x', 'ѕ': 's', 'і': 'i', 'ј': 'j',
  'һ': 'h', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'ӏ': 'l', 'ɡ': 'g',
  'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O', 'Р': 'P', 'С': 'C', 'Т': 'T',
  'Х': 'X', 'У': 'Y', 'Ѕ': 'S', 'І': 'I', 'Ј': 'J', 'Ԁ': 'D', 'Ԛ': 'Q', 'Ԝ': 'W',
  // Greek
  'α': 'a', 'ο': 'o', 'ν': 'v', 'ι': 'i', 'κ': 'k', 'ρ': 'p', 'τ': 't', 'υ': 'u', 'χ': 'x',
  'Α': 'A', 'Β': 'B', 'Ε': 'E', 'Ζ': 'Z', 'Η': 'H', 'Ι': 'I', 'Κ': 'K', 'Μ': 'M', 'Ν': 'N', 'Ο': 'O',
  'Ρ': 'P', 'Τ': 'T', 'Υ': 'Y', 'Χ': 'X',
  // Latin look-alikes
  'ı': 'i', 'ȷ': 'j', 'ℓ': 'l',
};

/** Typographic punctuation in its plain form: ordinary typography, not a trick (normalised, not counted). */
const TYPOGRAPHY: Record<string, string> = {
  '‐': '-', '‑': '-', '‒': '-', '–': '-', '—': '-', '―': '-', '−': '-',
  '‘': "'", '’': "'", '‚': "'", '‛': "'", '′': "'", '“': '"', '”': '"', '„': '"', '‟': '"', '″': '"',
  '…': '...',
};

/**
 * Invisible or formatting characters that carry no text: zero-width, joiners, soft hyphen, bidi controls, BOM.
 * One UTF-16 unit per match; the combining ones (grapheme joiner, variation selectors) are alternatives of
 * their own rather than members of the class, which reads as if they combined with the character before.
 */
const INVISIBLE = /[\u00AD\u061C\u115F\u1160\u17B4\u17B5\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFEFF\uFFA0]|\u034F|[\u180B-\u180F]|[\uFE00-\uFE0F]/g;
const ODD_SPACE = /[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000\t\v\f\r]/g;
const ASCII_LETTER = /^[A-Za-z]$/;
const charClass = (chars: string[]) => chars.map((c) => c.replace(/[\\\]^-]/g, '\\$&')).join('');
/**
 * Candidates for a look-alike letter: the table's, and the blocks where compatibility forms of Latin
 * letters live (modifier letters, superscripts, letterlike symbols, full-width forms, mathematical
 * alphanumerics). One native scan finds them; only matches reach the callback.
 */
const LOOKALIKE_RE = new RegExp(
  `[${charClass(Object.keys(LOOKALIKE_LETTERS))}\\u00AA\\u00BA\\u1D2C-\\u1D6A\\u2070-\\u209F\\u2100-\\u214F\\uFF21-\\uFF3A\\uFF41-\\uFF5A\\u{1D400}-\\u{1D7FF}]`,
  'gu',
);
const TYPOGRAPHY_RE = new RegExp(`[${charClass(Object.keys(TYPOGRAPHY))}]`, 'g');

/** The Latin letter `ch` only looks like, or undefined (compatibility forms: those whose NFKC is one ASCII letter). */
function lookalikeOf(ch: string): string | undefined {
  const mapped = LOOKALIKE_LETTERS[ch];
  if (mapped !== undefined) return mapped;
  if (!/\p{L}/u.test(ch)) return undefined;
  const k = ch.normalize('NFKC');
  return k !== ch && ASCII_LETTER.test(k) ? k : undefined;
}

export interface Normalised {
  text: string;
  report: NormalisationReport;
}

/**
 * The least a detector reading text as written must get (TextForm `as-written`): invisible characters
 * removed, and letters that only look Latin (Cyrillic "а", Greek "ο", full-width "Ａ", mathematical
 * "𝐚") replaced by the Latin letter, each one counted. Everything else (quotes, dashes, spaces, line
 * breaks, case) stays as written. Text without such tricks comes back unchanged.
 */
export function repair(input: string): Normalised {
  const report: NormalisationReport = { homoglyphs: 0, invisibles: 0, other: 0 };
  const text = input
    .replace(INVISIBLE, () => {
      report.invisibles++;
      return '';
    })
    .replace(LOOKALIKE_RE, (ch) => {
      const m = lookalikeOf(ch);
      if (m === undefined) return ch;
      report.homoglyphs++;
      return m;
    });
  return { text, report };
}

/**
 * What the embedded detector reads (TextForm `normalised`): repair() first, then compatibility forms
 * (NFKC), plain punctuation for typographic quotes and dashes, case games undone, odd spaces and runs
 * of spaces and blank lines squeezed. `other` counts the rewrites beyond repair() that are tricks
 * (compatibility forms, case games, spacing), not ordinary typography.
 */
export function normalise(input: string): Normalised {
  const { text: repaired, report } = repair(input);
  let text = repaired;
  const nfkc = text.normalize('NFKC');
  if (nfkc !== text) report.other++;
  // Compatibility forms can turn into look-alikes only now: map those too (already counted as `other`).
  text = nfkc.replace(TYPOGRAPHY_RE, (ch) => TYPOGRAPHY[ch] ?? ch).replace(LOOKALIKE_RE, (ch) => lookalikeOf(ch) ?? ch);
  text = undoCaseGames(text, report);
  text = text.replace(ODD_SPACE, ' ');
  const squeezed = text.replace(/ {2,}/g, ' ').replace(/\n{3,}/g, '\n\n').trim();
  if (squeezed.length !== text.trim().length) report.other++;
  return { text: squeezed, report };
}

/**
 * Text as `form` wants it, from text that repair() already went over (what an `as-written` detector
 * receives): detectors that combine others hand each part its own form with this.
 */
export function textFor(form: TextForm, asWritten: string): string {
  return form === 'normalised' ? normalise(asWritten).text : asWritten;
}

const CASED_WORD = /\p{L}[\p{L}\p{M}]*/gu;
/** An upper-case letter right after a lower-case one inside a word: tHiS, ThIs, wEiRd (also McDonald, iPhone). */
const INNER_UPPER = /\p{Ll}\p{Lu}/u;
const NATURAL_CASE = /^(?:\p{Lu}?[\p{Ll}\p{M}]*|[\p{Lu}\p{M}]+)$/u;

/**
 * Case games (random or alternating capitals, "tHiS iS hUmAn") fool detectors that read case. Natural
 * text has few words with an upper-case letter inside (McDonald, iPhone); when at least 3 words and 15%
 * of the words do, every word that is not lower case, Capitalised or ALL CAPS is lower-cased, and
 * each such word counts as one `other` rewrite.
 */
function undoCaseGames(text: string, report: NormalisationReport): string {
  const words = text.match(CASED_WORD);
  if (!words || words.length === 0) return text;
  let inner = 0;
  for (const w of words) if (INNER_UPPER.test(w)) inner++;
  if (inner < 3 || inner < 0.15 * words.length) return text;
  return text.replace(CASED_WORD, (w) => {
    if (NATURAL_CASE.test(w)) return w;
    report.other++;
    return w.toLowerCase();
  });
}

export function countWords(text: string): number {
  return text.match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu)?.length ?? 0;
}
