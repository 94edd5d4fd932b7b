/** Unknown address. */
export function NotFoundPage() {
  return (
    <section class="empty">
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <a href="/overview">Go to the overview</a>.
      </p>
    </section>
  );
}
