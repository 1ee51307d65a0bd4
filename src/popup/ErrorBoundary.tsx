/**
 * Keeps one failing part of the popup or options page from blanking the rest.
 */
import { Component, type ComponentChildren } from 'preact';

export class ErrorBoundary extends Component<{ what: string; children?: ComponentChildren }, { error: string | null }> {
  override state = { error: null as string | null };

  override componentDidCatch(err: unknown): void {
    this.setState({ error: err instanceof Error ? err.message : String(err) });
  }

  override render() {
    if (this.state.error) {
      return (
        <p class="note warn" role="alert" data-testid="ui-error">
          {this.props.what} could not be shown ({this.state.error}). Close and reopen this window.
        </p>
      );
    }
    return this.props.children;
  }
}
