/** The built-in roles and what each may do in a team. */
import { useEffect } from "preact/hooks";
import { PageHeader, ResourceView } from "../components/async-state.tsx";
import { type Capabilities, capabilities, type RoleName } from "../models/permissions.ts";
import { roles } from "../models/roles.ts";

/** Weakest first, as the backend ranks them. */
const RANK: Record<string, number> = { Viewer: 0, Requester: 1, Approver: 2, "Team Admin": 3 };

const ABILITIES: { key: keyof Capabilities; label: string }[] = [
  { key: "edit", label: "Create and edit features, rules, contexts; request deployments" },
  { key: "approve", label: "Approve or reject requests (not their own)" },
  { key: "kill", label: "Use the kill switch" },
  { key: "manageTeam", label: "Environments, pipelines, clients, members" },
];

export function RolesPage() {
  useEffect(() => void roles.load("all"), []);
  return (
    <>
      <PageHeader title="Roles" />
      <p class="muted">
        Each member holds one role per team. Administrators may do everything in every team, and manage users, teams and
        signing keys.
      </p>
      <ResourceView resource={roles}>
        {(list) => (
          <table class="table table--cards">
            <thead>
              <tr>
                <th scope="col">Role</th>
                <th scope="col">May</th>
              </tr>
            </thead>
            <tbody>
              {[...list]
                .sort((a, b) => (RANK[a.name] ?? 9) - (RANK[b.name] ?? 9))
                .map((r) => {
                  const caps = capabilities(r.name as RoleName, false);
                  const may = ABILITIES.filter((a) => caps[a.key]);
                  return (
                    <tr key={r.id}>
                      <th scope="row">
                        {r.name}
                        <p class="muted small">{r.description}</p>
                      </th>
                      <td data-label="May">
                        <ul class="plain">
                          <li>Read everything in the team</li>
                          {may.map((a) => (
                            <li key={a.key}>{a.label}</li>
                          ))}
                        </ul>
                      </td>
                    </tr>
                  );
                })}
            </tbody>
          </table>
        )}
      </ResourceView>
    </>
  );
}
