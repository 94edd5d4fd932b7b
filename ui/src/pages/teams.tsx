/** Teams (administrators): create, rename, delete. */
import { useEffect, useState } from "preact/hooks";
import { ActionsHeader, PageHeader, ResourceView } from "../components/async-state.tsx";
import { ConfirmDialog } from "../components/dialog.tsx";
import { bind, TextField } from "../components/fields.tsx";
import { FormDialog } from "../components/form-dialog.tsx";
import { RowActions } from "../components/row-actions.tsx";
import { check, createForm } from "../models/form.ts";
import { can, createTeam, deleteTeam, type Team, teams, updateTeam } from "../models/teams.ts";

function TeamDialog({ team, onClose }: { team: Team | null; onClose: () => void }) {
  const [form] = useState(() =>
    createForm({ name: team?.name ?? "", description: team?.description ?? "" }, (v) => ({
      name: check.length(v.name, "Name", 3, 50),
      description: v.description.length > 200 ? "Description must be at most 200 characters" : undefined,
    })),
  );
  return (
    <FormDialog
      title={team ? `Edit ${team.name}` : "New team"}
      form={form}
      submitLabel={team ? "Save" : "Create team"}
      onClose={onClose}
      onSubmit={(v) => {
        const input = { name: v.name.trim(), description: v.description.trim() };
        return team ? updateTeam(team.id, input) : createTeam(input);
      }}
    >
      <TextField label="Name" {...bind(form, "name")} />
      <TextField label="Description" {...bind(form, "description")} />
    </FormDialog>
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
      <ResourceView
        resource={teams}
        empty={<p>No teams yet. A team owns environments, pipelines, features, contexts and clients.</p>}
      >
        {(list) => (
          <table class="table table--cards">
            <thead>
              <tr>
                <th scope="col">Team</th>
                <th scope="col">Description</th>
                <ActionsHeader />
              </tr>
            </thead>
            <tbody>
              {list.map((t) => (
                <tr key={t.id}>
                  <th scope="row">{t.name}</th>
                  <td data-label="Description">{t.description || <span class="muted">—</span>}</td>
                  <RowActions
                    name={t.name}
                    onEdit={() => setEditing(t)}
                    onDelete={admin ? () => setDeleting(t) : undefined}
                  />
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ResourceView>
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
