/** First run: no administrator exists yet, so the first account is created here. */
import { useState } from "preact/hooks";
import { bind, FormError, TextField } from "../components/fields.tsx";
import { check, createForm } from "../models/form.ts";
import { createAdmin } from "../models/session.ts";
import { AuthCard } from "./auth-card.tsx";

const MIN_PASSWORD = 8;

export function CreateAdminPage() {
  const [form] = useState(() =>
    createForm({ username: "", firstName: "", lastName: "", email: "", password: "", confirm: "" }, (v) => ({
      username: check.length(v.username, "Username", 3, 100),
      firstName: check.length(v.firstName, "First name", 1, 100),
      lastName: check.length(v.lastName, "Last name", 1, 100),
      email: check.email(v.email),
      password: v.password.length < MIN_PASSWORD ? `Password needs at least ${MIN_PASSWORD} characters` : undefined,
      confirm: v.confirm !== v.password ? "The passwords do not match" : undefined,
    })),
  );
  return (
    <AuthCard
      title="Create the administrator"
      intro="This FluxGate has no administrator yet. The account you create here can manage every team."
    >
      <form
        class="stack"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void form.submit(({ confirm: _, ...input }) =>
            createAdmin({ ...input, username: input.username.trim(), email: input.email.trim() }),
          );
        }}
      >
        <TextField label="Username" autoComplete="username" {...bind(form, "username")} />
        <div class="grid-2">
          <TextField label="First name" autoComplete="given-name" {...bind(form, "firstName")} />
          <TextField label="Last name" autoComplete="family-name" {...bind(form, "lastName")} />
        </div>
        <TextField label="Email" type="email" autoComplete="email" {...bind(form, "email")} />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          hint={`At least ${MIN_PASSWORD} characters.`}
          {...bind(form, "password")}
        />
        <TextField label="Confirm password" type="password" autoComplete="new-password" {...bind(form, "confirm")} />
        <FormError message={form.formError.value} />
        <button type="submit" class="btn btn--primary" disabled={form.submitting.value}>
          Create administrator
        </button>
      </form>
    </AuthCard>
  );
}
