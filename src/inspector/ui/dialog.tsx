/** A modal over the page: a title bar with Close (Esc is handled by the page), a scrolling body. */
import type { ComponentChildren } from 'preact';

export function Dialog({ label, title, onClose, children }: { label: string; title: ComponentChildren; onClose(): void; children: ComponentChildren }) {
  return (
    <div class="overlay" onClick={(event) => event.target === event.currentTarget && onClose()}>
      <div class="dialog" role="dialog" aria-modal="true" aria-label={label}>
        <header>
          {title}
          <span class="spacer" />
          <button class="btn" onClick={onClose}>
            Close <kbd>Esc</kbd>
          </button>
        </header>
        <div class="dialog-body">{children}</div>
      </div>
    </div>
  );
}
