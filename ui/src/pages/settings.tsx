/** Signing keys (administrators): rotate the JWT key; revoke every session in an emergency. */
import { useEffect, useState } from "preact/hooks";
import { PageHeader, ResourceView } from "../components/async-state.tsx";
import { ConfirmDialog } from "../components/dialog.tsx";
import { revokeAllSessions, rotateSigningKey, signingKeys } from "../models/settings.ts";

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "—");

export function SettingsPage() {
  const [confirm, setConfirm] = useState<"rotate" | "revoke" | null>(null);
  useEffect(() => void signingKeys.load("all"), []);
  return (
    <>
      <PageHeader title="Settings" />
      <section class="panel" aria-labelledby="keys-title">
        <header class="panel__header">
          <h2 id="keys-title">JWT signing keys</h2>
          <button type="button" class="btn btn--primary" onClick={() => setConfirm("rotate")}>
            Rotate key
          </button>
        </header>
        <p class="muted">
          The active key signs new sessions. After a rotation the previous key keeps verifying the sessions it signed
          until they expire, so nobody is signed out.
        </p>
        <ResourceView resource={signingKeys}>
          {(keys) => (
            <table class="table table--cards">
              <thead>
                <tr>
                  <th scope="col">Key</th>
                  <th scope="col">State</th>
                  <th scope="col">Created</th>
                  <th scope="col">Verifies until</th>
                </tr>
              </thead>
              <tbody>
                {keys.map((k) => (
                  <tr key={k.id}>
                    <th scope="row">
                      <code>{k.secretPreview}</code>
                    </th>
                    <td data-label="State">
                      {k.isActive ? (
                        <span class="badge badge--live">Active</span>
                      ) : (
                        <span class="badge badge--off">Retired</span>
                      )}
                    </td>
                    <td data-label="Created">{when(k.createdAt)}</td>
                    <td data-label="Verifies until">{k.isActive ? "—" : when(k.verifyUntil)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </ResourceView>
      </section>
      <section class="panel panel--danger" aria-labelledby="revoke-title">
        <h2 id="revoke-title">Emergency: end every session</h2>
        <p>
          Revokes every session of every user (yours too) and rotates the key. Everyone can sign in again at once. Use
          it when a token may have leaked.
        </p>
        <button type="button" class="btn btn--danger" onClick={() => setConfirm("revoke")}>
          End every session
        </button>
      </section>
      <ConfirmDialog
        open={confirm === "rotate"}
        title="Rotate the signing key?"
        message={<p>New sessions are signed with a new key; current sessions stay valid until they expire.</p>}
        confirmLabel="Rotate key"
        onClose={() => setConfirm(null)}
        onConfirm={rotateSigningKey}
      />
      <ConfirmDialog
        open={confirm === "revoke"}
        title="End every session?"
        message={<p>Every user, you included, must sign in again.</p>}
        confirmLabel="End every session"
        danger
        onClose={() => setConfirm(null)}
        onConfirm={revokeAllSessions}
      />
    </>
  );
}
