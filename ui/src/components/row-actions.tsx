/** A row's buttons: each names its row for screen readers ("Edit production"). */
import type { ComponentChildren } from "preact";

export function RowButton({
  label,
  name,
  ghost,
  onClick,
}: {
  label: string;
  name: string;
  ghost?: boolean;
  onClick: () => void;
}) {
  return (
    <button type="button" class={`btn btn--small ${ghost ? "btn--ghost" : ""}`} onClick={onClick}>
      {label} <span class="visually-hidden">{name}</span>
    </button>
  );
}

/** Edit and delete (either optional) plus any other buttons, as a table cell or inline. */
export function RowActions({
  name,
  onEdit,
  onDelete,
  children,
  inline,
}: {
  name: string;
  onEdit?: () => void;
  onDelete?: () => void;
  children?: ComponentChildren;
  inline?: boolean;
}) {
  const buttons = (
    <>
      {onEdit && <RowButton label="Edit" name={name} onClick={onEdit} />}
      {children}
      {onDelete && <RowButton label="Delete" name={name} ghost onClick={onDelete} />}
    </>
  );
  return inline ? <span class="row-actions">{buttons}</span> : <td class="row-actions">{buttons}</td>;
}
