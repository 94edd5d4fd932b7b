/** Edge clients: credentials for edges and SDKs; the secret is shown once, rotate to issue a new one. */
import { useEffect, useState } from "preact/hooks";
import { ActionsHeader, PageHeader, ResourceView } from "../components/async-state.tsx";
import { ConfirmDialog } from "../components/dialog.tsx";
import { bind, Checkbox, SelectField, TextField } from "../components/fields.tsx";
import { FormDialog } from "../components/form-dialog.tsx";
import { ListEditor } from "../components/list-editor.tsx";
import { RowActions, RowButton } from "../components/row-actions.tsx";
import { SecretReveal } from "../components/secret-reveal.tsx";
import {
  type Client,
  type ClientInput,
  type ClientType,
  clients,
  createClient,
  deleteClient,
  dismissSecret,
  issuedSecret,
  rotateClientSecret,
  updateClient,
} from "../models/clients.ts";
import { environments } from "../models/environments.ts";
import { check, createForm } from "../models/form.ts";
import { can } from "../models/teams.ts";

function validate(v: ClientInput) {
  const origins = v.webOrigins.map((o) => o.trim()).filter(Boolean);
  return {
    name: check.length(v.name, "Name", 3, 100),
    description: v.description.length > 500 ? "Description must be at most 500 characters" : undefined,
    webOrigins:
      v.clientType === "WEB"
        ? origins.length === 0
          ? "A web client needs at least one allowed origin"
          : origins.map(check.origin).find(Boolean)
        : undefined,
  };
}

function ClientDialog({ teamId, client, onClose }: { teamId: string; client: Client | null; onClose: () => void }) {
  const [form] = useState(() =>
    createForm<ClientInput>(
      client
        ? {
            name: client.name,
            description: client.description ?? "",
            enabled: client.enabled,
            clientType: client.clientType,
            environmentId: client.environmentId,
            webOrigins: client.webOrigins,
          }
        : { name: "", description: "", enabled: true, clientType: "BACKEND", environmentId: null, webOrigins: [] },
      validate,
    ),
  );
  const { values, errors } = form;
  return (
    <FormDialog
      title={client ? `Edit ${client.name}` : "New client"}
      form={form}
      submitLabel={client ? "Save" : "Create client"}
      onClose={onClose}
      onSubmit={(v) => {
        const input = {
          ...v,
          name: v.name.trim(),
          description: v.description.trim(),
          webOrigins: v.webOrigins.map((o) => o.trim()).filter(Boolean),
        };
        return client ? updateClient(client.id, input) : createClient(teamId, input);
      }}
    >
      <TextField label="Name" {...bind(form, "name")} />
      <TextField label="Description" {...bind(form, "description")} />
      <SelectField
        label="Type"
        value={values.value.clientType}
        options={[
          { value: "BACKEND", label: "Backend (server-side SDK or edge)" },
          { value: "WEB", label: "Web (browser, bound to origins)" },
        ]}
        onValue={(v) => form.set("clientType", v as ClientType)}
        error={errors.value.clientType}
      />
      <SelectField
        label="Environment"
        hint="A client bound to one environment can read only that environment's flags."
        value={values.value.environmentId ?? ""}
        options={[
          { value: "", label: "Every environment of the team" },
          ...(environments.data.value ?? []).map((e) => ({ value: e.id, label: e.name })),
        ]}
        onValue={(v) => form.set("environmentId", v || null)}
        error={errors.value.environmentId}
      />
      {values.value.clientType === "WEB" && (
        <ListEditor
          label="Allowed origins"
          hint="One per line, e.g. https://shop.example.com"
          placeholder="https://app.example.com"
          values={values.value.webOrigins}
          onChange={(v) => form.set("webOrigins", v)}
          error={errors.value.webOrigins}
        />
      )}
      <Checkbox label="Enabled" checked={values.value.enabled} onValue={(v) => form.set("enabled", v)} />
    </FormDialog>
  );
}

export function ClientsPage({ teamId }: { teamId: string }) {
  const [editing, setEditing] = useState<Client | "new" | null>(null);
  const [rotating, setRotating] = useState<Client | null>(null);
  const [deleting, setDeleting] = useState<Client | null>(null);
  useEffect(() => {
    void clients.load(teamId);
    void environments.load(teamId);
  }, [teamId]);
  const envName = (id: string | null) =>
    id ? (environments.data.value?.find((e) => e.id === id)?.name ?? "?") : "Every environment";
  const manage = can.value.manageTeam;
  const secret = issuedSecret.value;
  return (
    <>
      <PageHeader title="Clients">
        {manage && (
          <button type="button" class="btn btn--primary" onClick={() => setEditing("new")}>
            New client
          </button>
        )}
      </PageHeader>
      <ResourceView
        resource={clients}
        empty={<p>No clients yet. An edge needs a client id and secret to receive this team's flags.</p>}
      >
        {(list) => (
          <table class="table table--cards">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Environment</th>
                <th scope="col">Client id</th>
                <th scope="col">Secret</th>
                <th scope="col">State</th>
                {manage && <ActionsHeader />}
              </tr>
            </thead>
            <tbody>
              {list.map((c) => (
                <tr key={c.id}>
                  <th scope="row">
                    {c.name}
                    {c.description && <p class="muted small">{c.description}</p>}
                  </th>
                  <td data-label="Type">
                    {c.clientType === "WEB" ? "Web" : "Backend"}
                    {c.webOrigins.length > 0 && <p class="muted small">{c.webOrigins.join(", ")}</p>}
                  </td>
                  <td data-label="Environment">{envName(c.environmentId)}</td>
                  <td data-label="Client id">
                    <code class="small">{c.id}</code>
                  </td>
                  <td data-label="Secret">
                    <code class="small">{c.secretPrefix}…</code>
                  </td>
                  <td data-label="State">{c.enabled ? "Enabled" : "Disabled"}</td>
                  {manage && (
                    <RowActions name={c.name} onEdit={() => setEditing(c)} onDelete={() => setDeleting(c)}>
                      <RowButton label="Rotate secret" name={`of ${c.name}`} onClick={() => setRotating(c)} />
                    </RowActions>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ResourceView>
      {editing && (
        <ClientDialog teamId={teamId} client={editing === "new" ? null : editing} onClose={() => setEditing(null)} />
      )}
      {secret && (
        <SecretReveal
          clientId={secret.clientId}
          clientName={secret.clientName}
          secret={secret.secret}
          onClose={dismissSecret}
        />
      )}
      <ConfirmDialog
        open={rotating !== null}
        title={`Rotate the secret of ${rotating?.name ?? ""}?`}
        message={<p>A new secret is issued and shown once. Edges using the old one are refused until reconfigured.</p>}
        confirmLabel="Rotate secret"
        onClose={() => setRotating(null)}
        onConfirm={() => (rotating ? rotateClientSecret(rotating.id) : Promise.resolve())}
      />
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete ${deleting?.name ?? ""}?`}
        message={<p>Edges and SDKs using this client are refused at once.</p>}
        confirmLabel="Delete client"
        danger
        onClose={() => setDeleting(null)}
        onConfirm={() => (deleting ? deleteClient(deleting.id) : Promise.resolve())}
      />
    </>
  );
}
