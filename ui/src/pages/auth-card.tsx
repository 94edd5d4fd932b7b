/** The centered card the signed-out pages share. */
import type { ComponentChildren } from "preact";

export function AuthCard({ title, intro, children }: { title: string; intro?: string; children: ComponentChildren }) {
  return (
    <main class="auth" id="main">
      <div class="auth__card">
        <p class="brand brand--large" aria-hidden="true">
          FluxGate
        </p>
        <h1>{title}</h1>
        {intro && <p class="muted">{intro}</p>}
        {children}
      </div>
    </main>
  );
}
