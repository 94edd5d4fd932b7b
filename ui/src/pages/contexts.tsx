/** Contexts: named value lists (countries, beta testers…) that rule conditions can reuse. */
import { useEffect, useState } from "preact/hooks";
import { ActionsHeader, PageHeader, ResourceView } from "../components/async-state.tsx";
import { ConfirmDialog } from "../components/dialog.tsx";
import { bind, TextArea, TextField } from "../components/fields.tsx";
import { FormDialog } from "../components/form-dialog.tsx";
import { RowActions } from "../components/row-actions.tsx";
import {
  type Context,
  contexts,
  createContext,
  deleteContext,
  parseValues,
  updateContext,
} from "../models/contexts.ts";
import { check, createForm } from "../models/form.ts";
import { can } from "../models/teams.ts";

function ContextDialog({ teamId, context, onClose }: { teamId: string; context: Context | null; onClose: () => void }) {
  const [form] = useState(() =>
    createForm(
      { key: context?.key ?? "", description: context?.description ?? "", entries: context?.values.join("\n") ?? "" },
      (v) => ({
        key: check.length(v.key, "Key", 1, 100) ?? check.key(v.key, "Key"),
        entries: parseValues(v.entries).length ? undefined : "Enter at least one value",
      }),
    ),
  );
  return (
    <FormDialog
      title={context ? `Edit ${context.key}` : "New context"}
      form={form}
      submitLabel={context ? "Save" : "Create context"}
      onClose={onClose}
      onSubmit={(v) => {
        const input = { key: v.key.trim(), description: v.description.trim(), entries: parseValues(v.entries) };
        return context ? updateContext(context.id, input) : createContext(teamId, input);
      }}
    >
      <TextField label="Key" hint="A name for the list, e.g. beta-countries." {...bind(form, "key")} />
      <TextField label="Description" {...bind(form, "description")} />
      <TextArea label="Values" hint="One per line. Duplicates are dropped." rows={6} {...bind(form, "entries")} />
    </FormDialog>
  );
}

export function ContextsPage({ teamId }: { teamId: string }) {
  const [editing, setEditing] = useState<Context | "new" | null>(null);
  const [deleting, setDeleting] = useState<Context | null>(null);
  useEffect(() => void contexts.load(teamId), [teamId]);
  const edit = can.value.edit;
  return (
    <>
      <PageHeader title="Contexts">
        {edit && (
          <button type="button" class="btn btn--primary" onClick={() => setEditing("new")}>
            New context
          </button>
        )}
      </PageHeader>
      <p class="muted">
        A context is a reusable list of values. A rule condition can take its values from one (“country is one of
        context beta-countries”); editing the list updates every rule that uses it.
      </p>
      <ResourceView resource={contexts} empty={<p>No contexts yet.</p>}>
        {(list) => (
          <table class="table table--cards">
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Values</th>
                {edit && <ActionsHeader />}
              </tr>
            </thead>
            <tbody>
              {list.map((c) => (
                <tr key={c.id}>
                  <th scope="row">
                    {c.key}
                    {c.description && <p class="muted small">{c.description}</p>}
                  </th>
                  <td data-label="Values">
                    <span class="muted small">{c.values.length} · </span>
                    {c.values.slice(0, 8).join(", ")}
                    {c.values.length > 8 ? "…" : ""}
                  </td>
                  {edit && <RowActions name={c.key} onEdit={() => setEditing(c)} onDelete={() => setDeleting(c)} />}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ResourceView>
      {editing && (
        <ContextDialog teamId={teamId} context={editing === "new" ? null : editing} onClose={() => setEditing(null)} />
      )}
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete ${deleting?.key ?? ""}?`}
        message={<p>A context that rules still use cannot be deleted; remove it from those rules first.</p>}
        confirmLabel="Delete context"
        danger
        onClose={() => setDeleting(null)}
        onConfirm={() => (deleting ? deleteContext(deleting.id) : Promise.resolve())}
      />
    </>
  );
}
