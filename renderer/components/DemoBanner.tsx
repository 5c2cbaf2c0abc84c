/** Always on screen in demo mode, so that nobody mistakes the made-up data for real records. */
export function DemoBanner() {
  return (
    <section className="soc-demo-banner" aria-label="Demo notice" data-testid="demo-banner">
      <strong>DEMO</strong> — this console holds made-up demonstration data
    </section>
  );
}
