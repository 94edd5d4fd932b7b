/** The built-in per-team roles. */
import { api } from "./api.ts";
import type { RoleName } from "./permissions.ts";
import { createResource } from "./resource.ts";

export interface Role {
  id: string;
  name: RoleName;
  description: string;
}

export const roles = createResource<"all", Role[]>(async () => {
  const data = await api.request<{ roles: Role[] }>("query Roles { roles { id name description } }");
  return data.roles;
});
