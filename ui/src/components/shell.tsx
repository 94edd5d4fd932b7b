/** The console frame: navigation, team switcher, user chip with role, theme, logout, live status. */
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

export interface NavItem {
  href: string;
  label: string;
  /** Section heading the item is listed under. */
  section: "Insights" | "Release" | "Team" | "Administration";
  badge?: number;
}

export interface ShellProps {
  path: string;
  nav: readonly NavItem[];
  teams: readonly { id: string; name: string }[];
  teamId: string | null;
  onSelectTeam: (id: string) => void;
  userName: string;
  roleLabel: string;
  theme: "light" | "dark";
  onToggleTheme: () => void;
  onLogout: () => void;
  liveState: "live" | "reconnecting" | "idle";
  children: ComponentChildren;
}

const SECTIONS: NavItem["section"][] = ["Insights", "Release", "Team", "Administration"];

function isActive(path: string, href: string): boolean {
  return href === "/" ? path === "/" : path === href || path.startsWith(`${href}/`);
}

export function Shell(props: ShellProps) {
  const [menuOpen, setMenuOpen] = useState(false);
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  // after a navigation, focus moves to the new page so keyboard and screen-reader users start there
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus({ preventScroll: false });
  }, [props.path]);
  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <button
          type="button"
          class="icon-button topbar__menu"
          aria-expanded={menuOpen}
          aria-controls="primary-nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          <span aria-hidden="true">☰</span>
          <span class="visually-hidden">Menu</span>
        </button>
        <a class="brand" href="/overview">
          FluxGate
        </a>
        <label class="team-switcher">
          <span class="visually-hidden">Team</span>
          <select
            value={props.teamId ?? ""}
            onChange={(e) => props.onSelectTeam(e.currentTarget.value)}
            disabled={props.teams.length === 0}
          >
            {props.teams.length === 0 && <option value="">No team</option>}
            {props.teams.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
        <div class="topbar__end">
          {props.liveState === "live" && (
            <span class="live-dot" title="Live updates on">
              <span class="visually-hidden">Live updates on</span>
            </span>
          )}
          <button
            type="button"
            class="icon-button"
            onClick={props.onToggleTheme}
            aria-label={props.theme === "dark" ? "Switch to light theme" : "Switch to dark theme"}
          >
            <span aria-hidden="true">{props.theme === "dark" ? "☀" : "☾"}</span>
          </button>
          <span class="user-chip">
            <span class="user-chip__name">{props.userName}</span>
            <span class="role-badge">{props.roleLabel}</span>
          </span>
          <button type="button" class="btn btn--small" onClick={props.onLogout}>
            Log out
          </button>
        </div>
      </header>
      {props.liveState === "reconnecting" && (
        <div class="banner banner--warning" role="status">
          Live updates interrupted — reconnecting…
        </div>
      )}
      <div class="shell__body">
        <nav id="primary-nav" class={`sidenav ${menuOpen ? "sidenav--open" : ""}`} aria-label="Main">
          {SECTIONS.map((section) => {
            const items = props.nav.filter((n) => n.section === section);
            if (items.length === 0) return null;
            return (
              <div class="sidenav__section" key={section}>
                <h2 class="sidenav__heading">{section}</h2>
                <ul>
                  {items.map((item) => (
                    <li key={item.href}>
                      <a
                        href={item.href}
                        aria-current={isActive(props.path, item.href) ? "page" : undefined}
                        onClick={() => setMenuOpen(false)}
                      >
                        {item.label}
                        {item.badge ? (
                          <span class="count">
                            {item.badge}
                            <span class="visually-hidden"> pending</span>
                          </span>
                        ) : null}
                      </a>
                    </li>
                  ))}
                </ul>
              </div>
            );
          })}
        </nav>
        <main id="main" class="content" tabIndex={-1} ref={main}>
          {props.children}
        </main>
      </div>
    </div>
  );
}
