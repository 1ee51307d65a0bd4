/** Popup entry: mounts only. */
import { render } from 'preact';
import { Popup } from './Popup.tsx';
import { t, uiLocale } from '../shared/i18n.ts';

// The page is in the catalogue's language (screen readers pronounce it so).
document.documentElement.lang = uiLocale();
document.title = t('extName');

const root = document.getElementById('app');
if (root) render(<Popup />, root);
