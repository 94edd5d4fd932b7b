/**
 * The console: decides between first run, sign-in, forced password change and the console itself,
 * keeps the address in step (an expired session goes to /login?next=… and comes back), and routes.
 */
import type { ComponentType } from "preact";
import { useEffect } from "preact/hooks";
import { LocationProvider, Route, Router, useLocation } from "preact-iso/router";
import { lazyPage } from "./components/lazy-page.tsx";
import { type NavItem, Shell } from "./components/shell.tsx";
import { liveState } from "./models/api.ts";
import { pendingApprovals } from "./models/approvals.ts";
import { startLiveUpdates } from "./models/live.ts";
import type { Capabilities } from "./models/permissions.ts";
import { bootstrap, logout, me, status } from "./models/session.ts";
import { can, currentRole, currentTeamId, selectTeam, teams } from "./models/teams.ts";
import { theme, toggleTheme } from "./models/theme.ts";
import { ActivityPage } from "./pages/activity.tsx";
import { ApprovalsPage } from "./pages/approvals.tsx";
import { ClientsPage } from "./pages/clients.tsx";
import { ContextsPage } from "./pages/contexts.tsx";
import { CreateAdminPage } from "./pages/create-admin.tsx";
import { EnvironmentsPage } from "./pages/environments.tsx";
import { FeatureDetailPage } from "./pages/feature-detail.tsx";
import { FeaturesPage } from "./pages/features.tsx";
import { LoginPage } from "./pages/login.tsx";
import { NotFoundPage } from "./pages/not-found.tsx";
import { OverviewPage } from "./pages/overview.tsx";
import { PipelinesPage } from "./pages/pipelines.tsx";
import { ResetPasswordPage } from "./pages/reset-password.tsx";
import { RolesPage } from "./pages/roles.tsx";
import { SettingsPage } from "./pages/settings.tsx";
import { TeamsPage } from "./pages/teams.tsx";
import { UsersPage } from "./pages/users.tsx";

/** Evaluation analytics and its chart are a chunk of their own, loaded on the first visit. */
const AnalyticsPage = lazyPage(() => import("./pages/analytics.tsx").then((m) => m.AnalyticsPage));

const AUTH_PATHS = new Set(["/login", "/create-admin", "/reset-password"]);

/** A `next` address is followed only when it is a path on this site (no open redirect). */
export function safeNext(next: string | undefined): string {
  return next?.startsWith("/") && !next.startsWith("//") && !AUTH_PATHS.has(next.split("?")[0]) ? next : "/overview";
}

export function navItems(c: Capabilities, pending: number): NavItem[] {
  const items: (NavItem | false)[] = [
    { href: "/overview", label: "Overview", section: "Insights" },
    { href: "/analytics", label: "Evaluations", section: "Insights" },
    { href: "/features", label: "Features", section: "Release" },
    { href: "/approvals", label: "Approvals", section: "Release", badge: pending },
    { href: "/activity", label: "Activity", section: "Release" },
    { href: "/environments", label: "Environments", section: "Team" },
    { href: "/pipelines", label: "Pipelines", section: "Team" },
    { href: "/contexts", label: "Contexts", section: "Team" },
    { href: "/clients", label: "Clients", section: "Team" },
    (c.admin || c.manageTeam) && { href: "/admin/users", label: "Users", section: "Administration" },
    c.admin && { href: "/admin/teams", label: "Teams", section: "Administration" },
    { href: "/admin/roles", label: "Roles", section: "Administration" },
    c.admin && { href: "/admin/settings", label: "Settings", section: "Administration" },
  ];
  return items.filter((i): i is NavItem => i !== false);
}

function pendingCount(): number {
  return (pendingApprovals.data.value ?? []).reduce(
    (n, f) => n + f.stages.filter((s) => s.status.endsWith("_REQUESTED")).length,
    0,
  );
}

function NoTeam() {
  return (
    <section class="empty">
      <h1>No team yet</h1>
      {can.value.admin ? (
        <p>
          Everything in FluxGate belongs to a team. <a href="/admin/teams">Create the first team</a>.
        </p>
      ) : (
        <p>You are not a member of any team yet. Ask an administrator to add you to one.</p>
      )}
    </section>
  );
}

/** A team-scoped page, given the selected team (or told there is none). */
function TeamRoute({ page: Page }: { page: ComponentType<{ teamId: string }> }) {
  const teamId = currentTeamId.value;
  return teamId ? <Page teamId={teamId} /> : <NoTeam />;
}

function FeatureRoute({ id }: { id: string }) {
  const teamId = currentTeamId.value;
  return teamId ? <FeatureDetailPage id={id} teamId={teamId} /> : <NoTeam />;
}

function UsersRoute() {
  return <UsersPage teamId={currentTeamId.value} />;
}

function Console() {
  const { path } = useLocation();
  const teamId = currentTeamId.value;
  const user = me.value;
  useEffect(() => {
    if (teamId) void pendingApprovals.load(teamId);
  }, [teamId]);
  const teamList = teams.data.value;
  const role = user?.isAdmin ? "Administrator" : (currentRole.value ?? "No role");
  return (
    <Shell
      path={path}
      nav={navItems(can.value, pendingCount())}
      teams={teamList ?? []}
      teamId={teamId}
      onSelectTeam={selectTeam}
      userName={user ? `${user.firstName} ${user.lastName}`.trim() || user.username : ""}
      roleLabel={role}
      theme={theme.value}
      onToggleTheme={toggleTheme}
      onLogout={() => void logout()}
      liveState={liveState.value}
    >
      {teamList === undefined && !teams.error.value ? (
        <p class="muted">Loading…</p>
      ) : (
        <Router>
          <Route path="/overview" component={TeamRoute} page={OverviewPage} />
          <Route path="/analytics" component={TeamRoute} page={AnalyticsPage} />
          <Route path="/features" component={TeamRoute} page={FeaturesPage} />
          <Route path="/features/:id" component={FeatureRoute} />
          <Route path="/approvals" component={TeamRoute} page={ApprovalsPage} />
          <Route path="/activity" component={TeamRoute} page={ActivityPage} />
          <Route path="/environments" component={TeamRoute} page={EnvironmentsPage} />
          <Route path="/pipelines" component={TeamRoute} page={PipelinesPage} />
          <Route path="/contexts" component={TeamRoute} page={ContextsPage} />
          <Route path="/clients" component={TeamRoute} page={ClientsPage} />
          <Route path="/admin/users" component={UsersRoute} />
          <Route path="/admin/teams" component={TeamsPage} />
          <Route path="/admin/roles" component={RolesPage} />
          <Route path="/admin/settings" component={SettingsPage} />
          <Route default component={NotFoundPage} />
        </Router>
      )}
    </Shell>
  );
}

/** Keeps the address in step with the session: the page for the state, and back to `next` after it. */
function Gate() {
  const { path, url, query, route } = useLocation();
  const s = status.value;
  useEffect(() => {
    if (s === "setup" && path !== "/create-admin") route("/create-admin", true);
    else if (s === "signed-out" && path !== "/login") {
      route(AUTH_PATHS.has(path) ? "/login" : `/login?next=${encodeURIComponent(url)}`, true);
    } else if (s === "reset-required" && path !== "/reset-password") {
      route(`/reset-password?next=${encodeURIComponent(AUTH_PATHS.has(path) ? safeNext(query.next) : url)}`, true);
    } else if (s === "signed-in" && (AUTH_PATHS.has(path) || path === "/")) route(safeNext(query.next), true);
  }, [s, path]);
  switch (s) {
    case "loading":
      return (
        <p class="splash" aria-busy="true">
          Loading FluxGate…
        </p>
      );
    case "unreachable":
      return (
        <main class="auth" id="main">
          <div class="auth__card" role="alert">
            <h1>FluxGate is not reachable</h1>
            <p>The console could not reach the backend. Check that it is running, then try again.</p>
            <button type="button" class="btn btn--primary" onClick={() => void bootstrap()}>
              Try again
            </button>
          </div>
        </main>
      );
    case "setup":
      return <CreateAdminPage />;
    case "signed-out":
      return <LoginPage />;
    case "reset-required":
      return <ResetPasswordPage />;
    case "signed-in":
      return <Console />;
  }
}

export function App() {
  useEffect(() => {
    void bootstrap();
    return startLiveUpdates();
  }, []);
  return (
    <LocationProvider>
      <Gate />
    </LocationProvider>
  );
}
