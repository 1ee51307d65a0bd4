/**
 * Keeps one failing part of the popup or options page from blanking the rest.
 */
import { Component, type ComponentChildren } from 'preact';
import { t } from '../shared/i18n.ts';

export class ErrorBoundary extends Component<{ what: string; children?: ComponentChildren }, { error: string | null }> {
  override state = { error: null as string | null };

  override componentDidCatch(err: unknown): void {
    this.setState({ error: err instanceof Error ? err.message : String(err) });
  }

  override render() {
    if (this.state.error) {
      return (
        <p class="note warn" role="alert" data-testid="ui-error">
          {t('uiPartFailed', this.props.what, this.state.error)}
        </p>
      );
    }
    return this.props.children;
  }
}
