/**
 * A dialog around one form: fields as children, the form-level error, Cancel and a submit button. It validates
 * (the form's own checks, then `check` for what the form does not hold), sends, and closes when the action
 * succeeded; the server's field errors stay on the fields.
 */
import type { ComponentChildren } from "preact";
import type { Form } from "../models/form.ts";
import { Dialog } from "./dialog.tsx";
import { FormError } from "./fields.tsx";

interface FormDialogProps<V extends object> {
  title: string;
  form: Form<V>;
  submitLabel: string;
  onSubmit: (values: V) => Promise<unknown>;
  onClose: () => void;
  /** Checks what the form does not hold; false stops the submission (it shows its own errors). */
  check?: () => boolean;
  /** Called instead of closing, with what `onSubmit` returned. */
  onDone?: (result: unknown) => void;
  wide?: boolean;
  children: ComponentChildren;
}

export function FormDialog<V extends object>(props: FormDialogProps<V>) {
  const { form } = props;
  return (
    <Dialog open title={props.title} onClose={props.onClose} wide={props.wide}>
      <form
        class="stack"
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          // both sets of checks run, so every problem shows at once
          const fieldsOk = form.validate();
          const restOk = props.check ? props.check() : true;
          if (!fieldsOk || !restOk) return;
          const sent = await form.submit(async (values) => ({ result: await props.onSubmit(values) }));
          if (!sent) return;
          if (props.onDone) props.onDone(sent.result);
          else props.onClose();
        }}
      >
        {props.children}
        <FormError message={form.formError.value} />
        <div class="actions">
          <button type="button" class="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn--primary" disabled={form.submitting.value}>
            {props.submitLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
