/** The live page's stylesheet, inline in its `<style>` and allowed by its hash in the page's CSP. */
export const PAGE_STYLE = `
:root { color-scheme: light; --ink: #1d2430; --muted: #5b6575; --line: #d9dee7; --card: #fff; --bg: #f4f6f9;
  --throughput: #2563eb; --in-flight: #0f9d58; --target: #9aa3b2; --lag: #d97706; --bad: #b42318; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
main { max-width: 980px; margin: 0 auto; padding: 24px 20px 40px; }
h1 { font-size: 22px; margin: 0 0 2px; }
h1 span { color: var(--muted); font-weight: 400; }
.server { color: var(--muted); margin: 0 0 18px; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
form { display: grid; grid-template-columns: minmax(0, 2fr) repeat(5, minmax(0, 1fr)); gap: 10px 12px; align-items: end; background: var(--card);
  border: 1px solid var(--line); border-radius: 10px; padding: 14px; }
label { display: flex; flex-direction: column; gap: 4px; font-size: 12px; color: var(--muted); }
input, select { font: inherit; color: var(--ink); padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; background: #fff; width: 100%; min-width: 0; }
.actions { grid-column: 1 / -1; display: flex; gap: 10px; align-items: center; }
button { font: inherit; padding: 7px 18px; border-radius: 6px; border: 1px solid var(--ink); background: var(--ink); color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: var(--ink); }
button:disabled { opacity: .4; cursor: default; }
.hint { font-size: 12px; color: var(--muted); margin: 0; }
.status { margin: 18px 0 12px; padding: 10px 14px; border-radius: 8px; background: var(--card); border: 1px solid var(--line); }
[data-state="running"] .status, [data-state="stopping"] .status { border-color: var(--throughput); }
[data-state="done"] .status { border-color: var(--in-flight); }
[data-state="error"] .status { border-color: var(--bad); }
.error { color: var(--bad); font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; margin: 6px 0 0; white-space: pre-wrap; }
.cards { display: grid; grid-template-columns: repeat(3, 1fr); gap: 12px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px 10px; }
.card h2 { font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 0; }
.figure { font-size: 28px; font-weight: 650; font-variant-numeric: tabular-nums; margin: 2px 0 0; }
.sub { font-size: 12px; color: var(--muted); margin: 0 0 6px; font-variant-numeric: tabular-nums; min-height: 1.45em; }
svg { display: block; width: 100%; height: 64px; background: #fafbfc; border-radius: 4px; }
polyline { fill: none; stroke-width: 2; vector-effect: non-scaling-stroke; stroke-linejoin: round; }
[data-series="throughput"] { stroke: var(--throughput); }
[data-series="processing"] { stroke: var(--in-flight); }
[data-series="in-flight"] { stroke: var(--in-flight); stroke-opacity: .35; }
[data-series="target"] { stroke: var(--target); stroke-dasharray: 4 3; }
[data-series="lag"] { stroke: var(--lag); }
.totals { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; margin: 12px 0 0; }
.totals div { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 8px 14px; }
.totals dt { font-size: 12px; color: var(--muted); }
.totals dd { margin: 0; font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }
#failed[data-value]:not([data-value="0"]) { color: var(--bad); }
.about { color: var(--muted); font-size: 13px; margin-top: 18px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; }
@media (max-width: 760px) { form { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); } .cards, .totals { grid-template-columns: 1fr; } }
`;
