import "./dom.ts";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { cleanup, fireEvent, render, within } from "@testing-library/preact";
import { status } from "../src/models/session.ts";
import { CreateAdminPage } from "../src/pages/create-admin.tsx";
import { LoginPage } from "../src/pages/login.tsx";
import { ResetPasswordPage } from "../src/pages/reset-password.tsx";
import { errors, fakeApi, settle } from "./fake-api.ts";

const ME = {
  id: "u1",
  username: "admin",
  firstName: "Ada",
  lastName: "Admin",
  email: "ada@example.com",
  isAdmin: true,
  isTemporaryPassword: false,
  memberships: [],
};

/** Queries over the whole page (testing-library's `screen` is bound before the DOM exists). */
const screen = () => within(document.body);

function type(label: string | RegExp, value: string) {
  fireEvent.input(screen().getByLabelText(label), { target: { value } });
}

function errorOf(label: string | RegExp): string | null {
  const input = screen().getByLabelText(label);
  const ids = input.getAttribute("aria-describedby")?.split(" ") ?? [];
  const messages = ids.map((id) => document.getElementById(id)).filter((el) => el?.classList.contains("field__error"));
  return messages[0]?.textContent ?? null;
}

beforeEach(() => localStorage.clear());
afterEach(cleanup);

describe("login form", () => {
  test("checks the fields before sending anything", async () => {
    const { calls } = fakeApi({});
    render(<LoginPage />);
    fireEvent.click(screen().getByRole("button", { name: "Sign in" }));
    await settle();
    expect(errorOf("Username")).toBe("Username is required");
    expect(errorOf("Password")).toBe("Password is required");
    expect(screen().getByLabelText("Username").getAttribute("aria-invalid")).toBe("true");
    expect(calls).toEqual([]);
  });

  test("signs in and keeps the token", async () => {
    const { calls } = fakeApi({ Login: { login: { token: "tok-1", isTemporary: false, user: ME } } });
    render(<LoginPage />);
    type("Username", " admin ");
    type("Password", "secret-password");
    fireEvent.click(screen().getByRole("button", { name: "Sign in" }));
    await settle();
    expect(calls[0].variables).toEqual({ input: { username: "admin", password: "secret-password" } });
    expect(status.value).toBe("signed-in");
    expect(localStorage.getItem("fluxgate.token")).toBe("tok-1");
  });

  test("a refused login shows the server's message as a form error", async () => {
    fakeApi({ Login: errors({ message: "invalid username or password", extensions: { code: "UNAUTHENTICATED" } }) });
    render(<LoginPage />);
    type("Username", "admin");
    type("Password", "wrong-password");
    fireEvent.click(screen().getByRole("button", { name: "Sign in" }));
    await settle();
    expect(screen().getByRole("alert").textContent).toBe("invalid username or password");
  });

  test("a temporary password leads to the forced reset", async () => {
    fakeApi({ Login: { login: { token: "tok", isTemporary: true, user: { ...ME, isTemporaryPassword: true } } } });
    render(<LoginPage />);
    type("Username", "admin");
    type("Password", "temporary-pw");
    fireEvent.click(screen().getByRole("button", { name: "Sign in" }));
    await settle();
    expect(status.value).toBe("reset-required");
  });
});

describe("create-admin form", () => {
  test("validates every field before sending", async () => {
    const { calls } = fakeApi({});
    render(<CreateAdminPage />);
    type("Username", "ab");
    type("Email", "not-an-email");
    type("Password", "short");
    type("Confirm password", "different");
    fireEvent.click(screen().getByRole("button", { name: "Create administrator" }));
    await settle();
    expect(errorOf("Username")).toBe("Username needs at least 3 characters");
    expect(errorOf("First name")).toBe("First name is required");
    expect(errorOf("Email")).toBe("Enter a valid email address");
    expect(errorOf("Password")).toBe("Password needs at least 8 characters");
    expect(errorOf("Confirm password")).toBe("The passwords do not match");
    expect(calls).toEqual([]);
  });

  test("shows the server's field error next to the field it names", async () => {
    fakeApi({
      CreateAdmin: errors({
        message: "username may use letters, digits and . _ @ + -",
        extensions: { code: "BAD_USER_INPUT", field: "input.username" },
      }),
    });
    render(<CreateAdminPage />);
    type("Username", "ada lovelace");
    type("First name", "Ada");
    type("Last name", "Lovelace");
    type("Email", "ada@example.com");
    type("Password", "correct-horse");
    type("Confirm password", "correct-horse");
    fireEvent.click(screen().getByRole("button", { name: "Create administrator" }));
    await settle();
    expect(errorOf("Username")).toBe("username may use letters, digits and . _ @ + -");
    expect(screen().queryByRole("alert")).toBeNull();
  });

  test("creates the admin, then signs in with it", async () => {
    const { calls } = fakeApi({
      CreateAdmin: { createAdmin: { id: "u1" } },
      Login: { login: { token: "tok", isTemporary: false, user: ME } },
    });
    render(<CreateAdminPage />);
    type("Username", "admin");
    type("First name", "Ada");
    type("Last name", "Admin");
    type("Email", "ada@example.com");
    type("Password", "correct-horse");
    type("Confirm password", "correct-horse");
    fireEvent.click(screen().getByRole("button", { name: "Create administrator" }));
    await settle(5);
    expect(calls.map((c) => c.operationName)).toEqual(["CreateAdmin", "Login"]);
    expect(calls[0].variables.input).not.toHaveProperty("confirm");
    expect(status.value).toBe("signed-in");
  });
});

describe("forced password reset", () => {
  test("refuses a new password equal to the temporary one", async () => {
    const { calls } = fakeApi({});
    render(<ResetPasswordPage />);
    type("Temporary password", "same-password");
    type("New password", "same-password");
    type("Confirm new password", "same-password");
    fireEvent.click(screen().getByRole("button", { name: "Save password" }));
    await settle();
    expect(errorOf("New password")).toBe("Choose a password different from the current one");
    expect(calls).toEqual([]);
  });

  test("a wrong current password is shown next to it", async () => {
    fakeApi({
      ResetPassword: errors({
        message: "the current password is wrong",
        extensions: { code: "BAD_USER_INPUT", field: "input.currentPassword" },
      }),
    });
    render(<ResetPasswordPage />);
    type("Temporary password", "wrong-one");
    type("New password", "brand-new-password");
    type("Confirm new password", "brand-new-password");
    fireEvent.click(screen().getByRole("button", { name: "Save password" }));
    await settle();
    expect(errorOf("Temporary password")).toBe("the current password is wrong");
  });
});
