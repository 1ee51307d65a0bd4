/**
 * Sensitivity and automatic scanning, shared by the popup and the options page.
 */
import { useEffect, useState } from 'preact/hooks';
import { SENSITIVITIES, type Sensitivity } from '../core/types.ts';
import type { Settings } from '../protocol/messages.ts';
import { autoScanFor } from '../shared/settings.ts';
import * as api from './api.ts';
import { sensitivityText, type MetaRow, fprSentence } from './model.ts';
import { t } from '../shared/i18n.ts';
import { forgetIntent, rememberIntent } from '../shared/pending-grant.ts';

export function SensitivityControl(props: {
  settings: Settings;
  save: (p: Partial<Settings>) => void;
  /** Measured rates per sensitivity (options page), when the model ships them. */
  rows?: MetaRow[];
  name?: string;
}) {
  const { settings, save, rows } = props;
  const name = props.name ?? 'sensitivity';
  return (
    <fieldset class="sensitivity" data-testid="sensitivity">
      <legend>{t('sensitivityLegend')}</legend>
      {SENSITIVITIES.map((s: Sensitivity) => {
        const row = rows?.find((r) => r.sensitivity === s);
        const fpr = row?.fprPages !== undefined && row.fprWorst !== undefined ? Math.max(row.fprPages, row.fprWorst) : (row?.fprPages ?? row?.fprWorst);
        const id = `${name}-${s}`;
        const words = sensitivityText(s);
        return (
          <div class="choice" key={s}>
            <input
              type="radio"
              id={id}
              name={name}
              value={s}
              checked={settings.sensitivity === s}
              onChange={() => save({ sensitivity: s })}
              aria-describedby={`${id}-hint`}
              data-testid={`sensitivity-${s}`}
            />
            <label for={id}>
              <span class="choice-label">{words.label}</span>{' '}
              <span class="hint" id={`${id}-hint`}>
                — {words.hint}
                {fpr !== undefined ? ` ${t('sensitivityAtMost', fprSentence(fpr))}` : ''}
              </span>
            </label>
          </div>
        );
      })}
    </fieldset>
  );
}

/** A button that says on or off: the click decides, so a refused permission can leave it off. */
export function Switch(props: {
  on: boolean;
  label: string;
  hint?: string;
  busy?: boolean;
  disabled?: boolean;
  testid: string;
  onToggle: () => void;
}) {
  return (
    <div class="switch-row">
      <button
        type="button"
        role="switch"
        class="switch"
        aria-checked={props.on}
        aria-busy={props.busy || undefined}
        // Busy (asking for access, saving): not `disabled`, which would throw keyboard focus to the top
        // of the page; it stays in place and ignores presses until the answer is in.
        aria-disabled={props.busy || undefined}
        disabled={props.disabled}
        data-testid={props.testid}
        onClick={() => {
          if (!props.busy) props.onToggle();
        }}
      >
        <span class="switch-track" aria-hidden="true">
          <span class="switch-thumb" />
        </span>
        <span class="switch-label">{props.label}</span>
        <span class="switch-state">{props.on ? t('switchOn') : t('switchOff')}</span>
      </button>
      {props.hint && <p class="hint">{props.hint}</p>}
    </div>
  );
}

export function AutoScanControls(props: {
  settings: Settings;
  save: (p: Partial<Settings>) => Promise<void>;
  /** The current page's host in the popup; null on the options page or pages without one. */
  hostname: string | null;
}) {
  const { settings, save, hostname } = props;
  const [busy, setBusy] = useState<'global' | 'site' | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [missingAccess, setMissingAccess] = useState(false);

  // Access removed in the browser's own settings: the switch would say "on" and nothing would happen.
  useEffect(() => {
    let live = true;
    if (settings.autoScan) api.hasHostAccess(null).then((ok) => live && setMissingAccess(!ok));
    else setMissingAccess(false);
    return () => {
      live = false;
    };
  }, [settings.autoScan]);

  function turnOn(host: string | null, apply: () => Promise<void>, which: 'global' | 'site') {
    setNote(null);
    setBusy(which);
    rememberIntent(host);
    // Synchronously inside the click handler: the permission request needs the user gesture.
    let asked: Promise<boolean>;
    try {
      asked = api.requestHostAccess(host);
    } catch (err) {
      asked = Promise.reject(err);
    }
    asked
      .then(async (granted) => {
        forgetIntent();
        if (granted) {
          await apply();
          setMissingAccess(false);
        } else {
          setNote(
            host ? t('autoscanRefusedSite', host, t('popupScanThisPage')) : t('autoscanRefused', t('popupScanThisPage')),
          );
        }
      })
      .catch((err) => {
        forgetIntent();
        setNote(t('autoscanRequestFailed', err instanceof Error ? err.message : String(err)));
      })
      .finally(() => setBusy(null));
  }

  const siteOn = hostname ? autoScanFor(settings, hostname) : false;

  return (
    <div class="autoscan" data-testid="autoscan">
      <Switch
        on={settings.autoScan}
        label={t('autoscanGlobal')}
        hint={t('autoscanGlobalHint')}
        busy={busy === 'global'}
        testid="autoscan-global"
        onToggle={() =>
          settings.autoScan ? void save({ autoScan: false }) : turnOn(null, () => save({ autoScan: true }), 'global')
        }
      />
      {hostname && (
        <Switch
          on={siteOn}
          label={t('autoscanSite', hostname)}
          busy={busy === 'site'}
          testid="autoscan-site"
          onToggle={() =>
            siteOn
              ? void save({ sites: { ...settings.sites, [hostname]: false } })
              : turnOn(hostname, () => save({ sites: { ...settings.sites, [hostname]: true } }), 'site')
          }
        />
      )}
      {missingAccess && (
        <p class="note warn" role="alert">
          {t('autoscanAccessLost')}
        </p>
      )}
      {note && (
        <p class="note warn" role="alert" data-testid="autoscan-note">
          {note}
        </p>
      )}
    </div>
  );
}
