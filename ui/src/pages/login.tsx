/** Sign in. After an expired session the user lands back where they were. */
import { useState } from "preact/hooks";
import { bind, FormError, TextField } from "../components/fields.tsx";
import { check, createForm } from "../models/form.ts";
import { expired, login } from "../models/session.ts";
import { AuthCard } from "./auth-card.tsx";

export function LoginPage() {
  const [form] = useState(() =>
    createForm({ username: "", password: "" }, (v) => ({
      username: check.required(v.username, "Username"),
      password: check.required(v.password, "Password"),
    })),
  );
  return (
    <AuthCard title="Sign in">
      {expired.value && (
        <p class="notice" role="status">
          Your session has ended. Sign in again to continue where you were.
        </p>
      )}
      <form
        class="stack"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void form.submit((v) => login(v.username.trim(), v.password));
        }}
      >
        <TextField label="Username" autoComplete="username" {...bind(form, "username")} />
        <TextField label="Password" type="password" autoComplete="current-password" {...bind(form, "password")} />
        <FormError message={form.formError.value} />
        <button type="submit" class="btn btn--primary" disabled={form.submitting.value}>
          {form.submitting.value ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </AuthCard>
  );
}
