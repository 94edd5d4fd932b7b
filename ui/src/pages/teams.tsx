/** Teams (administrators): create, rename, delete. */
import { useEffect, useState } from "preact/hooks";
import { Async, PageHeader } from "../components/async-state.tsx";
import { ConfirmDialog, Dialog } from "../components/dialog.tsx";
import { FormError, TextField } from "../components/fields.tsx";
import { check, createForm } from "../models/form.ts";
import { can, createTeam, deleteTeam, type Team, teams, updateTeam } from "../models/teams.ts";

function TeamDialog({ team, onClose }: { team: Team | null; onClose: () => void }) {
  const [form] = useState(() =>
    createForm({ name: team?.name ?? "", description: team?.description ?? "" }, (v) => ({
      name: check.length(v.name, "Name", 3, 50),
      description: v.description.length > 200 ? "Description must be at most 200 characters" : undefined,
    })),
  );
  const { values, errors } = form;
  return (
    <Dialog open title={team ? `Edit ${team.name}` : "New team"} onClose={onClose}>
      <form
        class="stack"
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          const done = await form.submit((v) => {
            const input = { name: v.name.trim(), description: v.description.trim() };
            return team ? updateTeam(team.id, input) : createTeam(input);
          });
          if (done) onClose();
        }}
      >
        <TextField
          label="Name"
          value={values.value.name}
          onValue={(v) => form.set("name", v)}
          error={errors.value.name}
        />
        <TextField
          label="Description"
          value={values.value.description}
          onValue={(v) => form.set("description", v)}
          error={errors.value.description}
        />
        <FormError message={form.formError.value} />
        <div class="actions">
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn--primary" disabled={form.submitting.value}>
            {team ? "Save" : "Create team"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function TeamsPage() {
  const [editing, setEditing] = useState<Team | "new" | null>(null);
  const [deleting, setDeleting] = useState<Team | null>(null);
  useEffect(() => void teams.refresh(), []);
  const admin = can.value.admin;
  return (
    <>
      <PageHeader title="Teams">
        {admin && (
          <button type="button" class="btn btn--primary" onClick={() => setEditing("new")}>
            New team
          </button>
        )}
      </PageHeader>
      <Async
        data={teams.data.value}
        loading={teams.loading.value}
        error={teams.error.value}
        empty={<p>No teams yet. A team owns environments, pipelines, features, contexts and clients.</p>}
      >
        {(list) => (
          <table class="table table--cards">
            <thead>
              <tr>
                <th scope="col">Team</th>
                <th scope="col">Description</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((t) => (
                <tr key={t.id}>
                  <th scope="row">{t.name}</th>
                  <td data-label="Description">{t.description || <span class="muted">—</span>}</td>
                  <td class="row-actions">
                    <button type="button" class="btn btn--small" onClick={() => setEditing(t)}>
                      Edit <span class="visually-hidden">{t.name}</span>
                    </button>
                    {admin && (
                      <button type="button" class="btn btn--small btn--ghost" onClick={() => setDeleting(t)}>
                        Delete <span class="visually-hidden">{t.name}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Async>
      {editing && <TeamDialog team={editing === "new" ? null : editing} onClose={() => setEditing(null)} />}
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete ${deleting?.name ?? ""}?`}
        message={<p>Everything in the team goes with it: environments, pipelines, features, contexts and clients.</p>}
        confirmLabel="Delete team"
        danger
        onClose={() => setDeleting(null)}
        onConfirm={() => (deleting ? deleteTeam(deleting.id) : Promise.resolve())}
      />
    </>
  );
}
