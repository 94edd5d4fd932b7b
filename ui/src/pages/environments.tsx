/** The team's environments: create, rename, (de)activate, require approval, delete. */
import { useEffect, useState } from "preact/hooks";
import { ActionsHeader, PageHeader, ResourceView } from "../components/async-state.tsx";
import { ConfirmDialog } from "../components/dialog.tsx";
import { bind, Checkbox, TextField } from "../components/fields.tsx";
import { FormDialog } from "../components/form-dialog.tsx";
import { RowActions } from "../components/row-actions.tsx";
import {
  createEnvironment,
  deleteEnvironment,
  type Environment,
  type EnvironmentInput,
  environments,
  updateEnvironment,
} from "../models/environments.ts";
import { check, createForm } from "../models/form.ts";
import { can } from "../models/teams.ts";

function EnvironmentDialog({ teamId, env, onClose }: { teamId: string; env: Environment | null; onClose: () => void }) {
  const [form] = useState(() =>
    createForm<EnvironmentInput>(
      env
        ? { name: env.name, active: env.active, requiresApproval: env.requiresApproval }
        : { name: "", active: true, requiresApproval: false },
      (v) => ({ name: check.length(v.name, "Name", 3, 50) }),
    ),
  );
  const { values } = form;
  return (
    <FormDialog
      title={env ? `Edit ${env.name}` : "New environment"}
      form={form}
      submitLabel={env ? "Save" : "Create environment"}
      onClose={onClose}
      onSubmit={(v) => {
        const input = { ...v, name: v.name.trim() };
        return env ? updateEnvironment(env.id, input) : createEnvironment(teamId, input);
      }}
    >
      <TextField label="Name" hint="Edges can name it instead of its id, e.g. production." {...bind(form, "name")} />
      <Checkbox label="Active" checked={values.value.active} onValue={(v) => form.set("active", v)} />
      <Checkbox
        label="Deployments need an approver"
        hint="A requested deployment or rollback waits for an Approver's decision."
        checked={values.value.requiresApproval}
        onValue={(v) => form.set("requiresApproval", v)}
      />
    </FormDialog>
  );
}

export function EnvironmentsPage({ teamId }: { teamId: string }) {
  const [editing, setEditing] = useState<Environment | "new" | null>(null);
  const [deleting, setDeleting] = useState<Environment | null>(null);
  useEffect(() => void environments.load(teamId), [teamId]);
  const manage = can.value.manageTeam;
  return (
    <>
      <PageHeader title="Environments">
        {manage && (
          <button type="button" class="btn btn--primary" onClick={() => setEditing("new")}>
            New environment
          </button>
        )}
      </PageHeader>
      <ResourceView
        resource={environments}
        empty={<p>No environments yet. Add dev, staging and production, then a pipeline through them.</p>}
      >
        {(list) => (
          <table class="table table--cards">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Id</th>
                <th scope="col">State</th>
                <th scope="col">Approval</th>
                {manage && <ActionsHeader />}
              </tr>
            </thead>
            <tbody>
              {list.map((env) => (
                <tr key={env.id}>
                  <th scope="row">{env.name}</th>
                  <td data-label="Id">
                    <code class="small">{env.id}</code>
                  </td>
                  <td data-label="State">{env.active ? "Active" : "Inactive"}</td>
                  <td data-label="Approval">{env.requiresApproval ? "Required" : "Not required"}</td>
                  {manage && (
                    <RowActions name={env.name} onEdit={() => setEditing(env)} onDelete={() => setDeleting(env)} />
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ResourceView>
      {editing && (
        <EnvironmentDialog teamId={teamId} env={editing === "new" ? null : editing} onClose={() => setEditing(null)} />
      )}
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete ${deleting?.name ?? ""}?`}
        message={<p>Its stages disappear from every pipeline and feature. Edges stop answering for it.</p>}
        confirmLabel="Delete environment"
        danger
        onClose={() => setDeleting(null)}
        onConfirm={() => (deleting ? deleteEnvironment(deleting.id) : Promise.resolve())}
      />
    </>
  );
}
