/** Forced password change while a temporary password is set (and self-service change). */
import { useState } from "preact/hooks";
import { bind, FormError, TextField } from "../components/fields.tsx";
import { createForm } from "../models/form.ts";
import { logout, resetPassword } from "../models/session.ts";
import { AuthCard } from "./auth-card.tsx";

const MIN_PASSWORD = 8;

export function ResetPasswordPage() {
  const [form] = useState(() =>
    createForm({ currentPassword: "", newPassword: "", confirm: "" }, (v) => ({
      currentPassword: v.currentPassword ? undefined : "Enter the password you signed in with",
      newPassword:
        v.newPassword.length < MIN_PASSWORD
          ? `Password needs at least ${MIN_PASSWORD} characters`
          : v.newPassword === v.currentPassword
            ? "Choose a password different from the current one"
            : undefined,
      confirm: v.confirm !== v.newPassword ? "The passwords do not match" : undefined,
    })),
  );
  return (
    <AuthCard
      title="Choose a new password"
      intro="You signed in with a temporary password. Choose your own before you continue."
    >
      <form
        class="stack"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void form.submit((v) => resetPassword(v.currentPassword, v.newPassword));
        }}
      >
        <TextField
          label="Temporary password"
          type="password"
          autoComplete="current-password"
          {...bind(form, "currentPassword")}
        />
        <TextField
          label="New password"
          type="password"
          autoComplete="new-password"
          hint={`At least ${MIN_PASSWORD} characters.`}
          {...bind(form, "newPassword")}
        />
        <TextField
          label="Confirm new password"
          type="password"
          autoComplete="new-password"
          {...bind(form, "confirm")}
        />
        <FormError message={form.formError.value} />
        <div class="actions">
          <button type="button" class="btn" onClick={() => void logout()}>
            Log out
          </button>
          <button type="submit" class="btn btn--primary" disabled={form.submitting.value}>
            Save password
          </button>
        </div>
      </form>
    </AuthCard>
  );
}
