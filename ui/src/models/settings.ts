/** JWT signing keys: the ring, and rotation (the previous key keeps verifying until its tokens expire). */
import { api } from "./api.ts";
import { createResource } from "./resource.ts";

export interface SigningKey {
  id: string;
  isActive: boolean;
  createdAt: string;
  createdBy: string | null;
  retiredAt: string | null;
  /** A retired key verifies the tokens it signed until then. */
  verifyUntil: string | null;
  secretPreview: string;
}

const FIELDS = "id isActive createdAt createdBy retiredAt verifyUntil secretPreview";

export const signingKeys = createResource<"all", SigningKey[]>(async () => {
  const data = await api.request<{ jwtSecretStatus: SigningKey[] }>(
    `query JwtSecretStatus { jwtSecretStatus { ${FIELDS} } }`,
  );
  return data.jwtSecretStatus;
});

/** Revokes every session, the caller's too (everyone signs in again at once), and rotates the key. */
export async function revokeAllSessions(): Promise<void> {
  await api.request("mutation DeactivateAllJwtSecrets { deactivateAllJwtSecrets }");
}

export async function rotateSigningKey(): Promise<void> {
  await api.request(`mutation GenerateJwtSecret { generateJwtSecret { ${FIELDS} } }`);
  await signingKeys.refresh();
}
