/** A modal on the native <dialog>: focus is trapped and Escape closes it; focus returns to the opener. */
import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef } from "preact/hooks";
import { useAction } from "./use-action.ts";

interface DialogProps {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  wide?: boolean;
}

export function Dialog({ open, title, onClose, children, wide }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      const opener = document.activeElement as HTMLElement | null;
      dialog.showModal?.() ?? dialog.setAttribute("open", "");
      return () => opener?.focus?.();
    }
    if (!open && dialog.open) dialog.close?.();
  }, [open]);
  return (
    <dialog
      ref={ref}
      class={`dialog ${wide ? "dialog--wide" : ""}`}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {open && (
        <>
          <header class="dialog__header">
            <h2 id={titleId}>{title}</h2>
            <button type="button" class="icon-button" aria-label="Close" onClick={onClose}>
              ×
            </button>
          </header>
          <div class="dialog__body">{children}</div>
        </>
      )}
    </dialog>
  );
}

interface ConfirmProps {
  open: boolean;
  title: string;
  message: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  /** The action; the dialog closes when it succeeds and shows its error when it fails. */
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}

/** "Are you sure?" with the consequence spelled out. */
export function ConfirmDialog(props: ConfirmProps) {
  const { busy, error, run, setError } = useAction();
  const close = () => {
    setError(null);
    props.onClose();
  };
  const confirm = async () => {
    if (await run(props.onConfirm)) close();
  };
  return (
    <Dialog open={props.open} title={props.title} onClose={close}>
      <div class="stack">
        <div>{props.message}</div>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <div class="actions">
          <button type="button" class="btn" onClick={close}>
            Cancel
          </button>
          <button
            type="button"
            class={`btn ${props.danger ? "btn--danger" : "btn--primary"}`}
            disabled={busy}
            onClick={() => void confirm()}
          >
            {props.confirmLabel}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
