/** A list of short strings (web origins, tags) edited as one per line. */
import { Field } from "./fields.tsx";

interface ListEditorProps {
  label: string;
  values: readonly string[];
  onChange: (values: string[]) => void;
  error?: string | null;
  hint?: string;
  placeholder?: string;
}

export function ListEditor({ label, values, onChange, error, hint, placeholder }: ListEditorProps) {
  return (
    <Field label={label} error={error} hint={hint}>
      {({ id, describedBy, invalid }) => (
        <textarea
          id={id}
          rows={3}
          value={values.join("\n")}
          placeholder={placeholder}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          onInput={(e) => onChange(e.currentTarget.value.split("\n"))}
        />
      )}
    </Field>
  );
}
