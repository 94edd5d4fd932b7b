/** Labelled form controls that show their error next to the field (and tell assistive tech about it). */
import type { ComponentChildren, InputHTMLAttributes } from "preact";
import { useId } from "preact/hooks";
import type { Form } from "../models/form.ts";

interface FieldProps {
  label: string;
  error?: string | null;
  hint?: string;
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ComponentChildren;
  class?: string;
}

/** Label, control, hint and error, wired with ids. */
export function Field({ label, error, hint, children, class: className }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : "";
  const errorId = error ? `${id}-error` : "";
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div class={`field ${error ? "field--error" : ""} ${className ?? ""}`}>
      <label for={id}>{label}</label>
      {children({ id, describedBy, invalid: Boolean(error) })}
      {hint && (
        <p class="field__hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field__error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

interface TextFieldProps {
  type?: "text" | "email" | "password" | "search" | "url";
  autoComplete?: string;
  placeholder?: string;
  readOnly?: boolean;
  disabled?: boolean;
  label: string;
  value: string;
  onValue: (value: string) => void;
  error?: string | null;
  hint?: string;
}

export function TextField({ label, value, onValue, error, hint, ...rest }: TextFieldProps) {
  // preact 11 types <input> as a union discriminated by a literal `type`; a `type` prop that is itself a
  // union matches no single member, so the attributes are declared as the union once, here
  const attributes = rest as InputHTMLAttributes<HTMLInputElement>;
  return (
    <Field label={label} error={error} hint={hint}>
      {({ id, describedBy, invalid }) => (
        <input
          {...attributes}
          id={id}
          value={value}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          onInput={(e) => onValue(e.currentTarget.value)}
        />
      )}
    </Field>
  );
}

interface TextAreaProps {
  label: string;
  value: string;
  onValue: (value: string) => void;
  error?: string | null;
  hint?: string;
  rows?: number;
  placeholder?: string;
  readOnly?: boolean;
}

export function TextArea({ label, value, onValue, error, hint, rows = 3, placeholder, readOnly }: TextAreaProps) {
  return (
    <Field label={label} error={error} hint={hint}>
      {({ id, describedBy, invalid }) => (
        <textarea
          id={id}
          rows={rows}
          value={value}
          placeholder={placeholder}
          readOnly={readOnly}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          onInput={(e) => onValue(e.currentTarget.value)}
        />
      )}
    </Field>
  );
}

export interface Option {
  value: string;
  label: string;
}

interface SelectProps {
  label: string;
  value: string;
  options: readonly Option[];
  onValue: (value: string) => void;
  error?: string | null;
  hint?: string;
  disabled?: boolean;
}

export function SelectField({ label, value, options, onValue, error, hint, disabled }: SelectProps) {
  return (
    <Field label={label} error={error} hint={hint}>
      {({ id, describedBy, invalid }) => (
        <select
          id={id}
          value={value}
          disabled={disabled}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          onChange={(e) => onValue(e.currentTarget.value)}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

interface CheckboxProps {
  label: string;
  checked: boolean;
  onValue: (checked: boolean) => void;
  hint?: string;
  disabled?: boolean;
}

export function Checkbox({ label, checked, onValue, hint, disabled }: CheckboxProps) {
  const id = useId();
  return (
    <div class="check">
      <input
        type="checkbox"
        id={id}
        checked={checked}
        disabled={disabled}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(e) => onValue(e.currentTarget.checked)}
      />
      <label for={id}>{label}</label>
      {hint && (
        <p class="field__hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

/** A form-level error (no field named): announced when it appears. */
export function FormError({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p class="form-error" role="alert">
      {message}
    </p>
  );
}

/** The keys of V whose values are strings (what a text control can edit). */
type TextKeys<V> = { [K in keyof V]: V[K] extends string ? K : never }[keyof V] & string;

/** A text control's value, change handler and error, bound to one field of a form. */
export function bind<V extends object, K extends TextKeys<V>>(form: Form<V>, name: K) {
  return {
    value: form.values.value[name] as string,
    onValue: (value: string) => form.set(name, value as V[K]),
    error: form.errors.value[name],
  };
}
