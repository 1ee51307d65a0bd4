/**
 * `npm run fuzz -- --pages N --seed S [--only 3,17] [--out FILE]`: N generated hostile pages
 * (test/support/fuzz-pages.ts) through the built extension in headless Chromium, one after another in
 * one profile, with the measures of test/support/fuzz-runner.ts. Prints a line per page and a summary;
 * `--out` writes every page's result as JSON. Exits 1 when any page failed a measure. Build first
 * (`npm run build`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { runFuzz } from '../test/support/fuzz-runner.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt?: string) => {
  const i = args.indexOf(`--${name}`);
  if (i >= 0) return args[i + 1];
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
};
const pages = Number(opt('pages', '50'));
const seed = Number(opt('seed', '1'));
const only = opt('only')?.split(',').map(Number);
const out = opt('out');
if (!Number.isInteger(pages) || pages < 1 || !Number.isInteger(seed)) {
  console.error('usage: npm run fuzz -- --pages N --seed S [--only i,j] [--out FILE]');
  process.exit(2);
}
console.log(`fuzz: ${only ? `pages ${only.join(',')} of` : ''} ${pages} pages, seed ${seed}`);
const { results, summary } = await runFuzz({ pages, seed, only, log: (l) => console.log(l) });
console.log(JSON.stringify(summary, null, 2));
if (out) {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ summary, results }, null, 1));
}
const failed = summary.pagesWithOurErrors + summary.pagesWithTextChanges + summary.pagesWithLayoutChanges + summary.pagesWithAttrChanges + summary.pagesUnsettled + summary.hiddenJudged + summary.forgedAccepted;
process.exit(failed ? 1 : 0);
