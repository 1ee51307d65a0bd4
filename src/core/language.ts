/**
 * Is this text something an English-only model may judge? A cheap, deterministic check (no model):
 * the share of Latin letters among all letters, then the share of very common English function words.
 * It errs towards "unsupported": a wrong number is worse than no number.
 */

const ENGLISH_FUNCTION_WORDS = new Set(
  ('the of and to a in is it that for on was with as i be at by this had not are but from or have an ' +
    'they which you were her all she there would their we him been has when who will more no if out so ' +
    'said what up its about into than them can only other new some could time these two may then do ' +
    'first any my now such like our over man me even most made after also did many before must through ' +
    'back years where much your way well down should because each just those people how too little state ' +
    'good very make world still own see men work long get here between both life being under never day ' +
    'same another know while last might us great old year off come since against go came right used take ' +
    'three he his is are was were am i\'m it\'s don\'t can\'t')
    .split(/\s+/),
);

import type { ReasonCode } from './types.ts';

export type LanguageCheck = { supported: true } | { supported: false; reason: string; code: ReasonCode };

const LETTER = /\p{L}/gu;
const LATIN = /\p{Script=Latin}/gu;
const WORD = /[\p{L}']+/gu;

export function checkEnglish(text: string): LanguageCheck {
  const letters = text.match(LETTER)?.length ?? 0;
  if (letters === 0) return { supported: false, reason: 'No words to read.', code: 'no-words' };
  const latin = text.match(LATIN)?.length ?? 0;
  if (latin / letters < 0.8) return { supported: false, reason: 'Not English: the detectors read English only.', code: 'not-english' };
  const words = (text.toLowerCase().match(WORD) ?? []).slice(0, 400);
  if (words.length >= 8) {
    let common = 0;
    for (const w of words) if (ENGLISH_FUNCTION_WORDS.has(w)) common++;
    // Running English prose has 35-55% function words; other Latin-script languages a few percent.
    if (common / words.length < 0.12) {
      return { supported: false, reason: 'Does not read as English prose: the detectors read English only.', code: 'not-english-prose' };
    }
  }
  return { supported: true };
}
