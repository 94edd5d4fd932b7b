/** Edge clients: credentials for edges and SDKs; the secret is shown once, rotate to issue a new one. */
import { useEffect, useState } from "preact/hooks";
import { Async, PageHeader } from "../components/async-state.tsx";
import { ConfirmDialog, Dialog } from "../components/dialog.tsx";
import { Checkbox, FormError, SelectField, TextField } from "../components/fields.tsx";
import { ListEditor } from "../components/list-editor.tsx";
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
    <Dialog open title={client ? `Edit ${client.name}` : "New client"} onClose={onClose}>
      <form
        class="stack"
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          const done = await form.submit(async (v) => {
            const input = {
              ...v,
              name: v.name.trim(),
              description: v.description.trim(),
              webOrigins: v.webOrigins.map((o) => o.trim()).filter(Boolean),
            };
            await (client ? updateClient(client.id, input) : createClient(teamId, input));
            return true;
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
        <FormError message={form.formError.value} />
        <div class="actions">
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn--primary" disabled={form.submitting.value}>
            {client ? "Save" : "Create client"}
          </button>
        </div>
      </form>
    </Dialog>
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
      <Async
        data={clients.data.value}
        loading={clients.loading.value}
        error={clients.error.value}
        onRetry={() => void clients.refresh()}
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
                {manage && (
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
                    <td class="row-actions">
                      <button type="button" class="btn btn--small" onClick={() => setEditing(c)}>
                        Edit <span class="visually-hidden">{c.name}</span>
                      </button>
                      <button type="button" class="btn btn--small" onClick={() => setRotating(c)}>
                        Rotate secret <span class="visually-hidden">of {c.name}</span>
                      </button>
                      <button type="button" class="btn btn--small btn--ghost" onClick={() => setDeleting(c)}>
                        Delete <span class="visually-hidden">{c.name}</span>
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
