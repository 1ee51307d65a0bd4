/**
 * The options page: every setting, the per-site list, the models in full, and what the scores mean
 * (with the false-positive rates measured for the embedded model, when it ships them).
 */
import { COMBINED } from '../core/roberta/registry.ts';
import { useEffect, useState } from 'preact/hooks';
import type { Settings } from '../protocol/messages.ts';
import * as api from '../popup/api.ts';
import { ErrorBoundary } from '../popup/ErrorBoundary.tsx';
import { useDetectorStatus, useModels, useSettings } from '../popup/hooks.ts';
import { SENSITIVITY_TEXT, formatRate, fprSentence, parseMeta, siteList, type ModelMeta } from '../popup/model.ts';
import { ModelsSection, StatusLine } from '../popup/Models.tsx';
import { AutoScanControls, SensitivityControl } from '../popup/SettingsControls.tsx';
import { applyPendingGrant } from '../shared/pending-grant.ts';

export function Options() {
  const { settings, error, save } = useSettings();
  const status = useDetectorStatus();
  const models = useModels();
  const [meta, setMeta] = useState<ModelMeta | null | undefined>(undefined);

  useEffect(() => {
    api.fetchEmbeddedMeta().then((raw) => setMeta(parseMeta(raw)), () => setMeta(null));
  }, []);
  // Opened from the popup's "How often it is wrong": the sections above load asynchronously, so the
  // browser's own jump to #about lands too early. Jump again once they are in.
  const loaded = settings !== null && meta !== undefined;
  useEffect(() => {
    if (loaded && typeof location !== 'undefined' && location.hash === '#about') document.getElementById('about')?.scrollIntoView?.();
  }, [loaded]);

  // A permission granted while an earlier popup was closed under the prompt (see pending-grant.ts).
  useEffect(() => void applyPendingGrant(), []);

  return (
    <main class="options">
      <h1>Telltale settings</h1>
      <ErrorBoundary what="The detector status">
        <StatusLine state={status} />
      </ErrorBoundary>
      {error && (
        <p class="note warn" role="alert">
          {error}
        </p>
      )}
      {settings ? (
        <ErrorBoundary what="The settings">
          <section class="card" aria-labelledby="h-scan">
            <h2 id="h-scan">Scanning</h2>
            <SensitivityControl settings={settings} save={save} rows={meta?.rows} />
            <AutoScanControls settings={settings} save={save} hostname={null} />
            <SiteList settings={settings} save={save} />
          </section>
          <section class="card" aria-labelledby="h-models">
            <h2 id="h-models">Models</h2>
            <ModelsSection models={models} settings={settings} save={save} compact={false} />
          </section>
        </ErrorBoundary>
      ) : (
        !error && <p class="hint">Loading settings…</p>
      )}
      <ErrorBoundary what="The explanation of the scores">
        <About meta={meta} />
      </ErrorBoundary>
    </main>
  );
}

function SiteList({ settings, save }: { settings: Settings; save: (p: Partial<Settings>) => Promise<void> }) {
  const sites = siteList(settings);
  return (
    <div class="sites" data-testid="sites">
      <h3>Sites with their own setting</h3>
      {sites.length === 0 ? (
        <p class="hint">None yet. Use the popup on a site to scan it automatically (or never) regardless of the setting above.</p>
      ) : (
        <ul class="site-list">
          {sites.map(({ host, on }) => (
            <li key={host} data-testid="site-row" data-host={host}>
              <span class="site-host">{host}</span>
              <span class="site-state">{on ? 'Scanned automatically' : 'Never scanned automatically'}</span>
              <button
                type="button"
                aria-label={`Remove the setting for ${host}`}
                data-testid="site-remove"
                onClick={() => {
                  const next = { ...settings.sites };
                  delete next[host];
                  void save({ sites: next });
                }}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function About({ meta }: { meta: ModelMeta | null | undefined }) {
  const rows = meta?.rows ?? [];
  const hasRates = rows.some((r) => r.fprWorst !== undefined || r.fprPages !== undefined);
  const rate = (x: number | undefined) => (x !== undefined ? formatRate(x) : '—');
  return (
    <section class="card about" id="about" aria-labelledby="h-about" data-testid="about">
      <h2 id="h-about">About the scores</h2>
      <h3>What you see on a paragraph</h3>
      <p data-testid="levels-about">
        Each judged paragraph gets one of three levels: <strong>likely machine-generated</strong> (flagged),{' '}
        <strong>unclear</strong>, or <strong>likely human-written</strong>. The levels come from your sensitivity: each
        sensitivity sets how rarely human-written text may reach a level, and the table below shows how often it did in
        our tests.
      </p>
      <p data-testid="share-about">
        Beside the level, a number says how often human-written text scored as high in our tests, for example “about 1
        in 400”. The rarer, the more the paragraph stands out from human writing. It is not the chance that this
        paragraph was machine-written, and never proof: use it as a reason to look closer, never alone to accuse anyone.
      </p>
      <h3>P(machine), in exports, the command line and the page’s attributes</h3>
      <p data-testid="p-machine-about">
        Behind each level is the model’s P(machine): the probability that the text is machine-written if machine- and
        human-written texts were equally common (it is calibrated with both kinds weighted equally). Real pages are
        mostly written by people, and the model reads kinds of text it was not trained on less well, so on real pages
        P(machine) is often above 0.5 for human writing: that is why the levels are cut where human-written text rarely
        reaches, and why the popup does not show P(machine) beside them.
      </p>
      <h3>The built-in model</h3>
      <p>
        {meta?.name ? `${meta.name}${meta.version ? ` (version ${meta.version})` : ''} is` : 'It is'} a small model that ships
        inside the extension and runs in your browser. Nothing you read is sent anywhere: no text leaves your computer,
        with the built-in model or a downloaded one.
      </p>
      {COMBINED && (
        <>
          <h3>Automatic: the built-in model, combined with RoBERTa once it is downloaded</h3>
          <p data-testid="combined-about">
            With the detector set to Automatic (the default), Telltale uses the built-in model until you download OpenAI's
            RoBERTa-base detector (Models, on this page); from then on each paragraph gets one combined level, and the popup and the card on
            the page also show each model's own. The combination and RoBERTa’s levels were fitted on only a few hundred labelled news and story
            texts, so their false-alarm rates are provisional.
          </p>
        </>
      )}
      <h3>Sensitivity and false alarms (built-in model)</h3>
      {hasRates ? (
        <table class="rates" data-testid="rates">
          <caption>
            Measured on texts none of the thresholds were chosen on{meta?.corpusOn ? `: ${meta.corpusOn}` : ''}
            {meta?.pagesOn ? `; ${meta.pagesOn}` : ''}
          </caption>
          <thead>
            <tr>
              <th scope="col">Sensitivity</th>
              <th scope="col">Human-written texts flagged, in the kind of text where most were</th>
              <th scope="col">Paragraphs of real pages flagged</th>
              <th scope="col">Human-written texts marked unclear (worst kind / real pages)</th>
              <th scope="col">Machine-written texts caught</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.sensitivity} data-testid={`rates-${r.sensitivity}`}>
                <th scope="row">{SENSITIVITY_TEXT[r.sensitivity].label}</th>
                <td>{r.fprWorst !== undefined ? `${fprSentence(r.fprWorst)} (${formatRate(r.fprWorst)})` : '—'}</td>
                <td>{rate(r.fprPages)}</td>
                <td>
                  {rate(r.unclearWorst)} / {rate(r.unclearPages)}
                </td>
                <td>{rate(r.tpr)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p data-testid="rates-missing">
          {meta === undefined
            ? 'Reading the measured rates…'
            : 'Low flags only text that is very likely generated and gives the fewest false alarms; high flags more and gives more false alarms. This build carries no measured rates.'}
        </p>
      )}
      <h3>Limits</h3>
      <ul>
        <li>
          Short texts: under {meta?.minWords ?? 'a few dozen'} words the scores swing too much, so they are marked “too short”
          and never flagged.
        </li>
        <li>Other languages: the models read English only; other text is marked “not English” and not judged.</li>
        <li>
          Non-native and formal writing: plain, formulaic or textbook English is flagged more often than it should be.
          Published detectors flag essays by non-native writers at high rates; treat flags on such text with extra doubt.
        </li>
        <li>Edited text, paraphrasing and newer models all lower accuracy. A flag is a reason to look closer, not a verdict.</li>
      </ul>
    </section>
  );
}
