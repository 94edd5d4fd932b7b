import "./dom.ts";
import { afterEach, describe, expect, test } from "bun:test";
import { cleanup, fireEvent, render, within } from "@testing-library/preact";
import { App } from "../src/app.tsx";
import { setToken } from "../src/models/api.ts";
import { status } from "../src/models/session.ts";
import { errors, fakeApi, settle } from "./fake-api.ts";

const screen = () => within(document.body);
afterEach(() => {
  cleanup();
  // models are module singletons: each test starts from a fresh page load's state
  status.value = "loading";
});

const TEAM = { id: "7d9f0c36-5a0e-4b8e-9c55-3f2c3c1f0a01", name: "Checkout", description: "" };
const ME = {
  id: "u1",
  username: "rita",
  firstName: "Rita",
  lastName: "Requester",
  email: "rita@example.com",
  isAdmin: false,
  isTemporaryPassword: false,
  memberships: [{ team: { id: TEAM.id, name: TEAM.name }, role: { id: "r2", name: "Requester" } }],
};

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (check()) return;
    await settle();
  }
  throw new Error(`timed out waiting for ${what} (at ${location.href})`);
}

describe("session", () => {
  test("first run shows the create-admin page", async () => {
    localStorage.clear();
    history.replaceState(null, "", "/features");
    fakeApi({ ApplicationStatus: { applicationStatus: { adminConfigured: false } } });
    render(<App />);
    await until(() => location.pathname === "/create-admin", "create-admin");
    expect(screen().getByRole("heading", { name: "Create the administrator" })).toBeTruthy();
  });

  test("an expired session returns to login, then back to where the user was", async () => {
    setToken("expired-token");
    history.replaceState(null, "", "/environments");
    let expired = true;
    const { calls } = fakeApi({
      ApplicationStatus: { applicationStatus: { adminConfigured: true } },
      Me: { me: ME },
      Teams: { teams: [TEAM] },
      PendingApprovals: { pendingApprovals: { items: [] } },
      Environments: () =>
        expired
          ? errors({ message: "session expired", extensions: { code: "UNAUTHENTICATED" } })
          : { environments: { items: [{ id: "e1", name: "production", active: true, requiresApproval: true }] } },
      Login: () => {
        expired = false;
        return { login: { token: "fresh-token", isTemporary: false, user: ME } };
      },
    });
    render(<App />);
    await until(() => location.pathname === "/login", "the login page");
    expect(location.search).toBe("?next=%2Fenvironments");
    expect(screen().getByText(/Your session has ended/)).toBeTruthy();
    expect(localStorage.getItem("fluxgate.token")).toBeNull();

    fireEvent.input(screen().getByLabelText("Username"), { target: { value: "rita" } });
    fireEvent.input(screen().getByLabelText("Password"), { target: { value: "her-password" } });
    fireEvent.click(screen().getByRole("button", { name: "Sign in" }));
    await until(() => location.pathname === "/environments", "the page the user was on");
    await until(() => screen().queryByRole("rowheader", { name: "production" }) !== null, "the environments");
    expect(calls.at(-1)?.authorization).toBe("Bearer fresh-token");
    // a Requester sees the team's environments but may not change them
    expect(screen().queryByRole("button", { name: "New environment" })).toBeNull();
    expect(screen().getByText("Requester")).toBeTruthy();
  });
});
