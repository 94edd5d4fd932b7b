/** Contexts: named value lists (countries, beta testers…) that rule conditions can reuse. */
import { useEffect, useState } from "preact/hooks";
import { Async, PageHeader } from "../components/async-state.tsx";
import { ConfirmDialog, Dialog } from "../components/dialog.tsx";
import { FormError, TextArea, TextField } from "../components/fields.tsx";
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
  const { values, errors } = form;
  return (
    <Dialog open title={context ? `Edit ${context.key}` : "New context"} onClose={onClose}>
      <form
        class="stack"
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          const done = await form.submit(async (v) => {
            const input = { key: v.key.trim(), description: v.description.trim(), entries: parseValues(v.entries) };
            await (context ? updateContext(context.id, input) : createContext(teamId, input));
            return true;
          });
          if (done) onClose();
        }}
      >
        <TextField
          label="Key"
          hint="A name for the list, e.g. beta-countries."
          value={values.value.key}
          onValue={(v) => form.set("key", v)}
          error={errors.value.key}
        />
        <TextField
          label="Description"
          value={values.value.description}
          onValue={(v) => form.set("description", v)}
          error={errors.value.description}
        />
        <TextArea
          label="Values"
          hint="One per line. Duplicates are dropped."
          rows={6}
          value={values.value.entries}
          onValue={(v) => form.set("entries", v)}
          error={errors.value.entries}
        />
        <FormError message={form.formError.value} />
        <div class="actions">
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn--primary" disabled={form.submitting.value}>
            {context ? "Save" : "Create context"}
          </button>
        </div>
      </form>
    </Dialog>
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
      <Async
        data={contexts.data.value}
        loading={contexts.loading.value}
        error={contexts.error.value}
        onRetry={() => void contexts.refresh()}
        empty={<p>No contexts yet.</p>}
      >
        {(list) => (
          <table class="table table--cards">
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Values</th>
                {edit && (
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                )}
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
                  {edit && (
                    <td class="row-actions">
                      <button type="button" class="btn btn--small" onClick={() => setEditing(c)}>
                        Edit <span class="visually-hidden">{c.key}</span>
                      </button>
                      <button type="button" class="btn btn--small btn--ghost" onClick={() => setDeleting(c)}>
                        Delete <span class="visually-hidden">{c.key}</span>
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Async>
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
