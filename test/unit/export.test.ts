import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { atSensitivity } from '../../src/core/levels.ts';
import type { PageReport } from '../../src/protocol/messages.ts';
import { parseCsv } from '../support/csv.ts';
import { buildExport, CSV_COLUMNS, csvCell, exportFileName, reportToCsv, reportToJson, type ExportContext } from '../../src/shared/export.ts';

const POLICY = {
  minWords: 3,
  thresholds: { low: 0.95, balanced: 0.9, high: 0.8 },
  unclear: { low: 0.9, balanced: 0.75, high: 0.6 },
  humanShare: [[0.05, 0.95], [0.5, 0.3], [0.9, 0.004], [0.95, 0.001]] as [number, number][],
};
const verdict = (p: number) => atSensitivity({ state: 'scored', p_machine: p, flagged: false, detector: 'embedded' }, POLICY, 'balanced');

const HOSTILE = '=HYPERLINK("http://evil.example","click"), then\r\na "quoted" line';
const REPORT: PageReport = {
  url: 'https://news.example.org/a?b=1,2',
  scanning: false,
  items: [
    {
      key: 'k1',
      state: 'scored',
      preview: 'It is important to note that,   in conclusion, many factors matter.',
      chars: 300,
      verdict: {
        ...verdict(0.93),
        evidence: [
          { text: 'weak one', start: 0, end: 1, weight: 0.1 },
          { text: 'In conclusion, many factors matter.', start: 0, end: 1, weight: 2 },
          { text: 'negative', start: 0, end: 1, weight: -1 },
          { text: '-1 starts with a minus', start: 0, end: 1, weight: 1 },
        ],
      },
    },
    { key: 'k2', state: 'scored', preview: HOSTILE, chars: 700, verdict: verdict(0.8) },
    { key: 'k3', state: 'too-short', preview: '@mention', chars: 8, verdict: { state: 'too-short', p_machine: 0.7, flagged: false, detector: 'embedded', reason: 'Too short to judge' } },
    { key: 'k4', state: 'unsupported', preview: `Café naïve Zürich — ünïcödé ${'x'.repeat(200)}`, chars: 230, verdict: { state: 'unsupported', p_machine: null, flagged: false, detector: 'embedded', reason: 'Not English' } },
    { key: 'k1', state: 'scored', preview: 'In a frame.', chars: 200, verdict: verdict(0.2), frameId: 5 },
    { key: 'k9', state: 'pending', preview: 'Still going.', chars: 50 },
  ],
};
const CTX: ExportContext = {
  time: '2026-12-01T23:40:00.123Z',
  detector: 'embedded',
  detectorName: 'Telltale embedded',
  models: [{ id: 'embedded', version: '1.0.0' }],
  sensitivity: 'balanced',
};

describe('export', () => {
  const doc = buildExport(REPORT, CTX);

  it('JSON: the page, the time, detector, model version, sensitivity and every paragraph', () => {
    const back = JSON.parse(reportToJson(doc));
    assert.equal(back.format, 'telltale-report');
    assert.equal(back.url, REPORT.url);
    assert.equal(back.time, CTX.time);
    assert.equal(back.detector, 'embedded');
    assert.deepEqual(back.models, [{ id: 'embedded', version: '1.0.0' }]);
    assert.equal(back.sensitivity, 'balanced');
    assert.deepEqual(back.paragraphs.map((p: { index: number; frame: number; state: string; level?: string }) => [p.index, p.frame, p.state, p.level]), [
      [1, 0, 'scored', 'generated'],
      [2, 0, 'scored', 'unclear'],
      [3, 0, 'too-short', null],
      [4, 0, 'unsupported', null],
      [5, 5, 'scored', 'human'],
      [6, 0, 'pending', null],
    ]);
    const [p1, , p3, p4, , p6] = back.paragraphs;
    assert.equal(p1.p_machine, 0.93);
    assert.equal(p1.excerpt, 'It is important to note that, in conclusion, many factors matter.', 'whitespace collapsed');
    assert.deepEqual(p1.evidence, ['In conclusion, many factors matter.', '-1 starts with a minus', 'weak one'], 'positive evidence, strongest first, at most 3');
    assert.equal(p1.human_share.words, '1 in 510');
    assert.equal(p3.p_machine, 0.7);
    assert.equal(p3.reason, 'Too short to judge');
    assert.equal(p4.p_machine, null);
    assert.equal(Array.from(p4.excerpt).length, 100);
    assert.ok(p4.excerpt.endsWith('…'));
    assert.equal(p6.p_machine, null);
    assert.equal(p6.detector, null);
  });

  it('CSV parses back (RFC 4180) to the same values, one row per paragraph', () => {
    const csv = reportToCsv(doc);
    assert.ok(csv.endsWith('\r\n'));
    assert.ok(!csv.startsWith('\uFEFF'), 'no BOM unless asked');
    const rows = parseCsv(csv);
    assert.deepEqual(rows[0], [...CSV_COLUMNS]);
    assert.equal(rows.length, 1 + REPORT.items.length);
    const col = (r: string[], c: (typeof CSV_COLUMNS)[number]) => r[CSV_COLUMNS.indexOf(c)]!;
    for (const r of rows.slice(1)) {
      assert.equal(r.length, CSV_COLUMNS.length);
      assert.equal(col(r, 'url'), REPORT.url, 'a comma inside the URL stays in its field');
      assert.equal(col(r, 'time'), CTX.time);
      assert.equal(col(r, 'model_version'), 'embedded 1.0.0');
      assert.equal(col(r, 'sensitivity'), 'balanced');
    }
    const [, r1, r2, r3, r4, r5, r6] = rows as string[][];
    assert.deepEqual([col(r1!, 'index'), col(r1!, 'frame'), col(r1!, 'state'), col(r1!, 'p_machine'), col(r1!, 'level')], ['1', '0', 'scored', '0.93', 'generated']);
    assert.equal(col(r1!, 'evidence_1'), 'In conclusion, many factors matter.');
    assert.equal(col(r1!, 'evidence_2'), "'-1 starts with a minus", 'a leading minus is guarded');
    assert.equal(col(r1!, 'human_share'), '1 in 510');
    // The page's text cannot become a formula; quotes and line breaks survive.
    assert.equal(col(r2!, 'excerpt'), `'${doc.paragraphs[1]!.excerpt}`);
    assert.ok(col(r2!, 'excerpt').includes('"quoted"'));
    assert.equal(col(r3!, 'excerpt'), "'@mention");
    assert.equal(col(r3!, 'reason'), 'Too short to judge');
    assert.equal(col(r4!, 'p_machine'), '', 'no number for text the models cannot read');
    assert.ok(col(r4!, 'excerpt').startsWith('Café naïve Zürich'));
    assert.deepEqual([col(r5!, 'frame'), col(r5!, 'index'), col(r5!, 'level')], ['5', '5', 'human']);
    assert.deepEqual([col(r6!, 'state'), col(r6!, 'level'), col(r6!, 'p_machine')], ['pending', '', '']);
  });

  it('CSV with a BOM: the same rows after it', () => {
    const csv = reportToCsv(doc, { bom: true });
    assert.ok(csv.startsWith('\uFEFF'));
    assert.deepEqual(parseCsv(csv.slice(1)), parseCsv(reportToCsv(doc)));
  });

  it('csvCell: quoting and the injection guard', () => {
    assert.equal(csvCell('plain'), 'plain');
    assert.equal(csvCell(null), '');
    assert.equal(csvCell(0.5), '0.5');
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('line\nbreak'), '"line\nbreak"');
    for (const c of ['=', '+', '-', '@', '\t']) assert.equal(csvCell(`${c}1+1`), `'${c}1+1`, JSON.stringify(c));
    assert.equal(csvCell('\r1'), `"'\r1"`, 'guarded, then quoted for its CR');
    assert.equal(csvCell('=a,b'), `"'=a,b"`);
    assert.equal(csvCell('a=b'), 'a=b', 'only a leading sign is guarded');
  });

  it('file names: the host and the time, nothing a file system refuses', () => {
    assert.equal(exportFileName(REPORT.url, CTX.time, 'csv'), 'telltale-news.example.org-2026-12-01T23-40-00Z.csv');
    assert.equal(exportFileName('file:///home/x.html', CTX.time, 'json'), 'telltale-page-2026-12-01T23-40-00Z.json');
    assert.equal(exportFileName('not a url', CTX.time, 'json'), 'telltale-page-2026-12-01T23-40-00Z.json');
  });
});
