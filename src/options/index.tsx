/** Options page entry: mounts only. */
import { render } from 'preact';
import { Options } from './Options.tsx';
import { t, uiLocale } from '../shared/i18n.ts';

// The page is in the catalogue's language (screen readers pronounce it so).
document.documentElement.lang = uiLocale();
document.title = t('optionsTitle');

const root = document.getElementById('app');
if (root) render(<Options />, root);
