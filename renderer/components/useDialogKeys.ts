import { useEffect, useId, type KeyboardEvent } from 'react';

interface DialogKeysOptions {
  isOpen: boolean;
  /**
   * What the dialog's confirm button does; 'form' submits the dialog's form (whose onSubmit is
   * that action). Without it Enter keeps its native meaning.
   */
  onConfirm?: (() => void) | 'form';
  /** False while the confirm button is disabled or its action is pending: Enter then does nothing. */
  canConfirm?: boolean;
}

/** The fields a dialog may open on; the close button and the actions are not fields. */
const FIELD = 'input:not([type="hidden"]):not(:disabled), select:not(:disabled), textarea:not(:disabled)';
/** Where Enter already means something: a focused Cancel must stay Cancel. */
const ACTIVATES = 'button, a[href], summary, [role="button"], [role="link"], [role="checkbox"]';

/** The class that makes a confirm button look destructive (see buttons.css). */
export const DESTRUCTIVE = 'soc-button--destructive';

/**
 * The keyboard of every confirmation pop-up: it opens on its first field, and Enter confirms it,
 * except in a text area (Enter is a new line there; Ctrl+Enter or ⌘+Enter confirms) and on a
 * button or link (Enter presses that one). Spread the result on the design system's Dialog.
 */
export function useDialogKeys({ isOpen, onConfirm, canConfirm = true }: DialogKeysOptions): {
  id: string;
  onKeyDown: (event: KeyboardEvent<HTMLElement>) => void;
} {
  const id = `soc-dialog-${useId().replace(/[^a-zA-Z0-9_-]/g, '')}`;

  // After the design system's own effect, which focuses the <dialog> element itself on opening.
  useEffect(() => {
    if (!isOpen) return;
    const body = document.getElementById(id)?.querySelector('.ds-c-dialog__body');
    body?.querySelector<HTMLElement>(FIELD)?.focus();
  }, [id, isOpen]);

  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    // A held Enter (the key that opened the pop-up, repeating) never confirms it.
    if (!onConfirm || event.key !== 'Enter' || event.repeat || event.nativeEvent.isComposing || event.altKey || event.shiftKey) return;
    const target = event.target;
    if (!(target instanceof HTMLElement) || target.closest(ACTIVATES)) return;
    if (target instanceof HTMLTextAreaElement && !(event.ctrlKey || event.metaKey)) return;
    // Also keeps a form inside the dialog from submitting a second time on its own.
    event.preventDefault();
    if (!canConfirm) return;
    if (onConfirm === 'form') event.currentTarget.querySelector('form')?.requestSubmit();
    else onConfirm();
  };

  return { id, onKeyDown };
}
