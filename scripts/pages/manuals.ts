/**
 * The real pages Telltale's false alarms are measured on (npm run eval:pages): HTML manuals from
 * Debian's packages, written by people (almost all of it before LLMs existed) and never part of the
 * training corpus. `tuning` packages may be used to choose thresholds (scripts/train/policy.ts);
 * `held-out` ones are only ever reported.
 */
/** Debian packages of human-written manuals, with the folder their English HTML lives in. */
export const PACKAGES: { pkg: string; dir: string; match?: RegExp; split: 'tuning' | 'held-out' }[] = [
  { pkg: 'postgresql-doc-15', dir: '/usr/share/doc/postgresql-doc-15/html', split: 'tuning' },
  { pkg: 'python3.11-doc', dir: '/usr/share/doc/python3.11/html', split: 'tuning' },
  { pkg: 'git-doc', dir: '/usr/share/doc/git-doc', split: 'tuning' },
  { pkg: 'debian-policy', dir: '/usr/share/doc/debian-policy', split: 'tuning' },
  { pkg: 'debian-reference-en', dir: '/usr/share/debian-reference', match: /\.en\.html$/, split: 'tuning' },
  { pkg: 'mutt', dir: '/usr/share/doc/mutt/html', split: 'tuning' },
  { pkg: 'zsh-doc', dir: '/usr/share/doc/zsh-common/html', split: 'held-out' },
  { pkg: 'apache2-doc', dir: '/usr/share/doc/apache2-doc/manual/en', split: 'held-out' },
  { pkg: 'sqlite3-doc', dir: '/usr/share/doc/sqlite3', split: 'held-out' },
  { pkg: 'gettext-doc', dir: '/usr/share/doc/gettext', split: 'held-out' },
  { pkg: 'r-doc-html', dir: '/usr/share/R/doc/manual', split: 'held-out' },
  { pkg: 'developers-reference', dir: '/usr/share/developers-reference', split: 'held-out' },
  { pkg: 'debian-faq', dir: '/usr/share/doc/debian/FAQ', match: /\.en\.html$/, split: 'held-out' },
  { pkg: 'maint-guide', dir: '/usr/share/doc/maint-guide/html', match: /\.en\.html$/, split: 'held-out' },
  { pkg: 'bash-doc', dir: '/usr/share/doc/bash', split: 'held-out' },
];
