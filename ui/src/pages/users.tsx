/** Users: create with a temporary password, edit, enable/disable, team memberships and roles. */
import { useEffect, useState } from "preact/hooks";
import { ActionsHeader, PageHeader, ResourceView } from "../components/async-state.tsx";
import { Dialog } from "../components/dialog.tsx";
import { bind, Checkbox, FormError, SelectField, TextField } from "../components/fields.tsx";
import { FormDialog } from "../components/form-dialog.tsx";
import { RowActions } from "../components/row-actions.tsx";
import { useAction } from "../components/use-action.ts";
import { check, createForm } from "../models/form.ts";
import { roles } from "../models/roles.ts";
import { me } from "../models/session.ts";
import { can, teams } from "../models/teams.ts";
import {
  generatePassword,
  type NewUserInput,
  registerUser,
  removeMembership,
  setMembership,
  setTemporaryPassword,
  type User,
  type UserEdit,
  updateUser,
  userSearch,
  users,
} from "../models/users.ts";

const MIN_PASSWORD = 8;

function NewUserDialog({ teamId, onClose }: { teamId: string | null; onClose: () => void }) {
  const roleList = roles.data.value ?? [];
  const viewer = roleList.find((r) => r.name === "Viewer")?.id ?? roleList[0]?.id ?? null;
  const admin = can.value.admin;
  const [created, setCreated] = useState<{ username: string; password: string } | null>(null);
  const [form] = useState(() =>
    createForm<NewUserInput>(
      {
        username: "",
        firstName: "",
        lastName: "",
        email: "",
        password: generatePassword(),
        isAdmin: false,
        teamId: teamId || null,
        roleId: viewer,
      },
      (v) => ({
        username: check.length(v.username, "Username", 3, 100),
        firstName: check.length(v.firstName, "First name", 1, 100),
        lastName: check.length(v.lastName, "Last name", 1, 100),
        email: check.email(v.email),
        password: v.password.length < MIN_PASSWORD ? `At least ${MIN_PASSWORD} characters` : undefined,
        teamId: !admin && !v.teamId ? "Choose the team the user joins" : undefined,
      }),
    ),
  );
  const { values, errors } = form;
  if (created) {
    return (
      <Dialog open title="User created" onClose={onClose}>
        <div class="stack">
          <p>
            Give <strong>{created.username}</strong> this temporary password. They must choose their own when they first
            sign in.
          </p>
          <p>
            <code class="secret">{created.password}</code>
          </p>
          <div class="actions">
            <button type="button" class="btn btn--primary" onClick={onClose}>
              Done
            </button>
          </div>
        </div>
      </Dialog>
    );
  }
  return (
    <FormDialog
      title="New user"
      form={form}
      submitLabel={"Create user"}
      onClose={onClose}
      onSubmit={(v) => registerUser({ ...v, username: v.username.trim(), email: v.email.trim() })}
      onDone={() => setCreated({ username: values.value.username.trim(), password: values.value.password })}
    >
      <TextField label="Username" autoComplete="off" {...bind(form, "username")} />
      <div class="grid-2">
        <TextField label="First name" {...bind(form, "firstName")} />
        <TextField label="Last name" {...bind(form, "lastName")} />
      </div>
      <TextField label="Email" type="email" {...bind(form, "email")} />
      <div class="inline-field">
        <TextField
          label="Temporary password"
          autoComplete="off"
          hint="Shown again after creation; the user must change it at first sign-in."
          {...bind(form, "password")}
        />
        <button type="button" class="btn btn--small" onClick={() => form.set("password", generatePassword())}>
          Generate
        </button>
      </div>
      <div class="grid-2">
        <SelectField
          label="Team"
          value={values.value.teamId ?? ""}
          options={[
            ...(admin ? [{ value: "", label: "No team" }] : []),
            ...(teams.data.value ?? []).map((t) => ({ value: t.id, label: t.name })),
          ]}
          onValue={(v) => form.set("teamId", v || null)}
          error={errors.value.teamId}
        />
        <SelectField
          label="Role in the team"
          value={values.value.roleId ?? ""}
          options={roleList.map((r) => ({ value: r.id, label: r.name }))}
          disabled={!values.value.teamId}
          onValue={(v) => form.set("roleId", v)}
          error={errors.value.roleId}
        />
      </div>
      {admin && (
        <Checkbox
          label="Administrator (every team, user administration, signing keys)"
          checked={values.value.isAdmin}
          onValue={(v) => form.set("isAdmin", v)}
        />
      )}
    </FormDialog>
  );
}

function EditUserDialog({ user, onClose }: { user: User; onClose: () => void }) {
  const admin = can.value.admin;
  const self = me.value?.id === user.id;
  const [tempPassword, setTempPassword] = useState<string | null>(null);
  const temporary = useAction();
  const [form] = useState(() =>
    createForm<UserEdit>(
      {
        firstName: user.firstName,
        lastName: user.lastName,
        email: user.email,
        isAdmin: user.isAdmin,
        enabled: user.enabled,
      },
      (v) => ({
        firstName: check.length(v.firstName, "First name", 1, 100),
        lastName: check.length(v.lastName, "Last name", 1, 100),
        email: check.email(v.email),
      }),
    ),
  );
  const { values } = form;
  const resetPassword = async () => {
    const password = generatePassword();
    if (await temporary.run(() => setTemporaryPassword(user.id, password))) setTempPassword(password);
  };
  return (
    <Dialog open title={`Edit ${user.username}`} onClose={onClose} wide>
      <div class="stack">
        <form
          class="stack"
          noValidate
          onSubmit={async (e) => {
            e.preventDefault();
            const done = await form.submit(async (v) => {
              const input = admin ? v : { firstName: v.firstName, lastName: v.lastName, email: v.email };
              await updateUser(user.id, input as UserEdit);
              return true;
            });
            if (done) onClose();
          }}
        >
          <div class="grid-2">
            <TextField label="First name" {...bind(form, "firstName")} />
            <TextField label="Last name" {...bind(form, "lastName")} />
          </div>
          <TextField label="Email" type="email" {...bind(form, "email")} />
          {admin && !self && (
            <>
              <Checkbox
                label="Enabled"
                hint="A disabled user cannot sign in; their sessions end at once."
                checked={values.value.enabled}
                onValue={(v) => form.set("enabled", v)}
              />
              <Checkbox label="Administrator" checked={values.value.isAdmin} onValue={(v) => form.set("isAdmin", v)} />
            </>
          )}
          <FormError message={form.formError.value} />
          <div class="actions">
            <button type="button" class="btn" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" class="btn btn--primary" disabled={form.submitting.value}>
              Save
            </button>
          </div>
        </form>
        {!self && (
          <section class="stack">
            <h3>Temporary password</h3>
            {tempPassword ? (
              <p>
                New temporary password: <code class="secret">{tempPassword}</code>. Their sessions have ended.
              </p>
            ) : (
              <button type="button" class="btn" onClick={() => void resetPassword()}>
                Issue a temporary password
              </button>
            )}
            {temporary.error && (
              <p class="form-error" role="alert">
                {temporary.error}
              </p>
            )}
          </section>
        )}
        <Memberships user={user} />
      </div>
    </Dialog>
  );
}

function Memberships({ user }: { user: User }) {
  const roleList = roles.data.value ?? [];
  const teamList = teams.data.value ?? [];
  const change = useAction();
  const [addTeam, setAddTeam] = useState("");
  const current = users.data.value?.find((u) => u.id === user.id) ?? user;
  const viewer = roleList.find((r) => r.name === "Viewer")?.id ?? roleList[0]?.id ?? "";
  const run = (action: () => Promise<void>) => void change.run(action);
  const free = teamList.filter((t) => !current.memberships.some((m) => m.team.id === t.id));
  return (
    <section class="stack">
      <h3>Teams and roles</h3>
      {current.memberships.length === 0 && <p class="muted">Not a member of any team.</p>}
      <ul class="kv">
        {current.memberships.map((m) => (
          <li key={m.team.id} class="kv__row">
            <span class="chip">{m.team.name}</span>
            <label>
              <span class="visually-hidden">Role in {m.team.name}</span>
              <select
                value={m.role.id}
                onChange={(e) => run(() => setMembership(m.team.id, user.id, e.currentTarget.value))}
              >
                {roleList.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
              </select>
            </label>
            <button
              type="button"
              class="btn btn--small btn--ghost"
              onClick={() => run(() => removeMembership(m.team.id, user.id))}
            >
              Remove from {m.team.name}
            </button>
          </li>
        ))}
      </ul>
      {free.length > 0 && (
        <div class="inline-field">
          <SelectField
            label="Add to team"
            value={addTeam}
            options={[{ value: "", label: "Choose a team…" }, ...free.map((t) => ({ value: t.id, label: t.name }))]}
            onValue={setAddTeam}
          />
          <button
            type="button"
            class="btn btn--small"
            disabled={!addTeam}
            onClick={() => {
              run(() => setMembership(addTeam, user.id, viewer));
              setAddTeam("");
            }}
          >
            Add as Viewer
          </button>
        </div>
      )}
      {change.error && (
        <p class="form-error" role="alert">
          {change.error}
        </p>
      )}
    </section>
  );
}

export function UsersPage({ teamId }: { teamId: string | null }) {
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<User | null>(null);
  const search = userSearch.value;
  useEffect(() => {
    const timer = setTimeout(() => void users.load(search), 250);
    return () => clearTimeout(timer);
  }, [search]);
  useEffect(() => void roles.load("all"), []);
  return (
    <>
      <PageHeader title="Users">
        {(can.value.admin || teamId) && (
          <button type="button" class="btn btn--primary" onClick={() => setCreating(true)}>
            New user
          </button>
        )}
      </PageHeader>
      <search class="filters" aria-label="Find users">
        <TextField
          label="Search"
          type="search"
          placeholder="username or name"
          value={search}
          onValue={(v) => {
            userSearch.value = v;
          }}
        />
      </search>
      <ResourceView resource={users} empty={<p>No user matches.</p>}>
        {(list) => (
          <table class="table table--cards">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Email</th>
                <th scope="col">Teams and roles</th>
                <th scope="col">State</th>
                <ActionsHeader />
              </tr>
            </thead>
            <tbody>
              {list.map((u) => (
                <tr key={u.id}>
                  <th scope="row">
                    {u.username}
                    {u.isAdmin && <span class="role-badge">Administrator</span>}
                    <p class="muted small">
                      {u.firstName} {u.lastName}
                    </p>
                  </th>
                  <td data-label="Email">{u.email}</td>
                  <td data-label="Teams">
                    {u.memberships.map((m) => (
                      <span class="chip" key={m.team.id}>
                        {m.team.name}: {m.role.name}
                      </span>
                    ))}
                  </td>
                  <td data-label="State">
                    {u.enabled ? "Enabled" : "Disabled"}
                    {u.isTemporaryPassword && <p class="muted small">temporary password</p>}
                  </td>
                  <RowActions name={u.username} onEdit={() => setEditing(u)} />
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ResourceView>
      {creating && <NewUserDialog teamId={teamId} onClose={() => setCreating(false)} />}
      {editing && <EditUserDialog user={editing} onClose={() => setEditing(null)} />}
    </>
  );
}
