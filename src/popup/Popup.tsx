/**
 * The toolbar popup: the current page's report, the detector's status, and the settings people change
 * most (sensitivity, automatic scanning, detector). `?tab=ID` makes it about that tab (end-to-end tests).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import * as api from './api.ts';
import { ErrorBoundary } from './ErrorBoundary.tsx';
import { useDetectorStatus, useKeepFocus, useModels, useSettings, useZeroShotStatus } from './hooks.ts';
import { pageAccess, parseMeta } from './model.ts';
import { exportContext } from './Export.tsx';
import { ModelsSection, StatusLine } from './Models.tsx';
import { PageSection, usePage } from './PageSection.tsx';
import { AutoScanControls, SensitivityControl } from './SettingsControls.tsx';
import { applyPendingGrant } from '../shared/pending-grant.ts';
import { t } from '../shared/i18n.ts';

export function Popup() {
  const [tab, setTab] = useState<api.ActiveTab | null>(null);
  const [tabError, setTabError] = useState<string | null>(null);
  const status = useDetectorStatus();
  const models = useModels();
  const { settings, error: settingsError, save } = useSettings();
  const { page, scan, refresh } = usePage(tab, tabError);
  const zeroShot = useZeroShotStatus(settings?.zeroShot ?? null, models.models);
  const judgedWith = useRef<string | null>(null);
  // "Scan this page" gives way to "Scanning…" and then to the report's "Scan again".
  const pageRef = useKeepFocus<HTMLDivElement>('[data-testid="scan-button"]');
  const [embeddedVersion, setEmbeddedVersion] = useState<string | undefined>(undefined);

  useEffect(() => {
    api.fetchEmbeddedMeta().then((raw) => setEmbeddedVersion(parseMeta(raw)?.version), () => undefined);
  }, []);

  useEffect(() => {
    api
      .activeTab()
      .then((found) => (found ? setTab(found) : setTabError(t('popupNoTab'))))
      .catch(() => setTabError(t('popupTabUnknown')));
  }, []);

  // A new sensitivity or detector changes the page's verdicts: fetch the report again.
  const signature = settings ? `${settings.sensitivity}|${settings.detector}|${settings.zeroShot ?? ''}` : null;
  useEffect(() => {
    if (signature && judgedWith.current && judgedWith.current !== signature) refresh();
    if (signature) judgedWith.current = signature;
  }, [signature]);

  // A permission granted while an earlier popup was closed under the prompt (see pending-grant.ts).
  useEffect(() => void applyPendingGrant(), []);

  // The host name comes from the tab, or from the content script's report when the tab's URL is hidden.
  const url = tab?.url ?? (page.kind === 'report' ? page.report.url : undefined);
  const access = pageAccess(url);
  const hostname = access.scannable ? access.hostname : null;
  const optionsHref = safeUrl('options.html#about');

  return (
    <main class="popup">
      <header class="top">
        <h1>{t('extName')}</h1>
        <ErrorBoundary what={t('partStatus')}>
          <StatusLine state={status} />
        </ErrorBoundary>
      </header>

      <div ref={pageRef} class="page-wrap">
      <ErrorBoundary what={t('partReport')}>
        <PageSection
          page={page}
          scan={scan}
          tabId={tab?.id ?? null}
          optionsHref={optionsHref}
          {...(settings ? { sensitivity: settings.sensitivity } : {})}
          zeroShot={zeroShot}
          onDeep={refresh}
          exportContext={() => {
            const st = status.status;
            if (!settings) return null;
            // The status names what `auto` stands for now; without one, the setting itself.
            const detector = st?.detector ?? settings.detector;
            return exportContext({
              detector,
              sensitivity: settings.sensitivity,
              ...(st?.name ? { detectorName: st.name } : {}),
              ...(embeddedVersion ? { embeddedVersion } : {}),
            });
          }}
          onOpenOptions={(e) => {
            e.preventDefault();
            api.openOptions('about');
          }}
        />
      </ErrorBoundary>
      </div>

      <ErrorBoundary what={t('partSettings')}>
        <section class="card settings" aria-label={t('popupSettings')}>
          {settingsError && (
            <p class="note warn" role="alert">
              {settingsError}
            </p>
          )}
          {settings ? (
            <>
              <SensitivityControl settings={settings} save={save} />
              <AutoScanControls settings={settings} save={save} hostname={hostname} />
              <details class="models-details">
                <summary>{t('popupModels')}</summary>
                <ModelsSection models={models} settings={settings} save={save} compact />
              </details>
            </>
          ) : (
            !settingsError && <p class="hint">{t('loadingSettings')}</p>
          )}
        </section>
      </ErrorBoundary>

      <footer class="foot">
        <a href={safeUrl('options.html')} target="_blank" rel="noopener" onClick={(e) => {
            e.preventDefault();
            api.openOptions();
          }}>
          {t('popupAllSettings')}
        </a>
      </footer>
    </main>
  );
}

function safeUrl(path: string): string {
  try {
    return api.extensionUrl(path);
  } catch {
    return path;
  }
}
