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
import { formatRate, fprSentence, parseMeta, sensitivityText, siteList, type ModelMeta } from '../popup/model.ts';
import { ModelsSection, StatusLine } from '../popup/Models.tsx';
import { AutoScanControls, SensitivityControl } from '../popup/SettingsControls.tsx';
import { applyPendingGrant } from '../shared/pending-grant.ts';
import { t, tParts } from '../shared/i18n.ts';

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
      <h1>{t('optionsTitle')}</h1>
      <ErrorBoundary what={t('partStatus')}>
        <StatusLine state={status} />
      </ErrorBoundary>
      {error && (
        <p class="note warn" role="alert">
          {error}
        </p>
      )}
      {settings ? (
        <ErrorBoundary what={t('partSettings')}>
          <section class="card" aria-labelledby="h-scan">
            <h2 id="h-scan">{t('optionsScanning')}</h2>
            <SensitivityControl settings={settings} save={save} rows={meta?.rows} />
            <AutoScanControls settings={settings} save={save} hostname={null} />
            <SiteList settings={settings} save={save} />
          </section>
          <section class="card" aria-labelledby="h-models">
            <h2 id="h-models">{t('popupModels')}</h2>
            <ModelsSection models={models} settings={settings} save={save} compact={false} />
          </section>
        </ErrorBoundary>
      ) : (
        !error && <p class="hint">{t('loadingSettings')}</p>
      )}
      <ErrorBoundary what={t('partAbout')}>
        <About meta={meta} />
      </ErrorBoundary>
    </main>
  );
}

function SiteList({ settings, save }: { settings: Settings; save: (p: Partial<Settings>) => Promise<void> }) {
  const sites = siteList(settings);
  return (
    <div class="sites" data-testid="sites">
      <h3>{t('sitesHeading')}</h3>
      {sites.length === 0 ? (
        <p class="hint">{t('sitesNone')}</p>
      ) : (
        <ul class="site-list">
          {sites.map(({ host, on }) => (
            <li key={host} data-testid="site-row" data-host={host}>
              <span class="site-host">{host}</span>
              <span class="site-state">{on ? t('siteOn') : t('siteOff')}</span>
              <button
                type="button"
                aria-label={t('siteRemoveLabel', host)}
                data-testid="site-remove"
                onClick={() => {
                  const next = { ...settings.sites };
                  delete next[host];
                  void save({ sites: next });
                }}
              >
                {t('siteRemove')}
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
  const strong = (s: string) => <strong>{s}</strong>;
  const modelSentence = meta?.name
    ? meta.version
      ? t('aboutBuiltInNamedVersion', meta.name, meta.version)
      : t('aboutBuiltInNamed', meta.name)
    : t('aboutBuiltIn');
  const caption = meta?.corpusOn
    ? meta.pagesOn
      ? t('ratesCaptionBoth', meta.corpusOn, meta.pagesOn)
      : t('ratesCaptionOn', meta.corpusOn)
    : meta?.pagesOn
      ? t('ratesCaptionOn', meta.pagesOn)
      : t('ratesCaption');
  return (
    <section class="card about" id="about" aria-labelledby="h-about" data-testid="about">
      <h2 id="h-about">{t('aboutHeading')}</h2>
      <h3>{t('aboutLevelsHeading')}</h3>
      <p data-testid="levels-about">
        {tParts('aboutLevels', strong(t('levelGeneratedInline')), strong(t('levelUnclearShort')), strong(t('levelHumanInline')))}
      </p>
      <p data-testid="share-about">{t('aboutShare')}</p>
      <h3>{t('aboutPMachineHeading')}</h3>
      <p data-testid="p-machine-about">{t('aboutPMachine')}</p>
      <h3>{t('aboutBuiltInHeading')}</h3>
      <p>{modelSentence}</p>
      {COMBINED && (
        <>
          <h3>{t('aboutCombinedHeading')}</h3>
          <p data-testid="combined-about">{t('aboutCombined')}</p>
        </>
      )}
      <h3>{t('ratesHeading')}</h3>
      {hasRates ? (
        <table class="rates" data-testid="rates">
          <caption>{caption}</caption>
          <thead>
            <tr>
              <th scope="col">{t('sensitivityLegend')}</th>
              <th scope="col">{t('ratesColWorst')}</th>
              <th scope="col">{t('ratesColPages')}</th>
              <th scope="col">{t('ratesColUnclear')}</th>
              <th scope="col">{t('ratesColCaught')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.sensitivity} data-testid={`rates-${r.sensitivity}`}>
                <th scope="row">{sensitivityText(r.sensitivity).label}</th>
                <td>{r.fprWorst !== undefined ? t('ratesWorstCell', fprSentence(r.fprWorst), formatRate(r.fprWorst)) : '—'}</td>
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
        <p data-testid="rates-missing">{meta === undefined ? t('ratesReading') : t('ratesMissing')}</p>
      )}
      <h3>{t('limitsHeading')}</h3>
      <ul>
        <li>{meta?.minWords ? t('limitShort', meta.minWords) : t('limitShortNoCount')}</li>
        <li data-testid="english-only">{t('limitLanguages')}</li>
        <li>{t('limitNonNative')}</li>
        <li>{t('limitEdited')}</li>
      </ul>
    </section>
  );
}
