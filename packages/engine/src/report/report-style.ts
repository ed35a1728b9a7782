/**
 * The report's whole stylesheet, inlined so that the page opens offline.
 * Series colours (blue async, orange batch: apart for most colour-vision
 * deficiencies) reach the SVGs through `currentColor`.
 */
export const reportStyle = `
:root { color-scheme: light; --async: #1f6feb; --batch: #d9480f; --ink: #1f2328; --muted: #59636e; --rule: #d1d9e0; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
header, main { max-width: 1360px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 20px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 6px; }
.machine, .lede, figcaption, .figures { color: var(--muted); }
.machine { margin: 0; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; }
.lede { max-width: 80ch; }
.async { color: var(--async); }
.batch { color: var(--batch); }
table.summary { border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.summary th, table.summary td { padding: 3px 10px; border-bottom: 1px solid var(--rule); }
table.summary thead th { font-weight: 600; border-bottom: 1px solid var(--muted); }
table.summary td { text-align: right; }
table.summary tbody th { text-align: left; font-weight: 400; }
table.summary td.ratio { font-weight: 600; }
table.summary a { color: inherit; }
table.bench td.text { text-align: left; }
table.bench tr.best td { background: #fff4d6; font-weight: 600; }
.best-why { max-width: 100ch; }
.best-why .rule { font-weight: 400; color: var(--muted); }
section.scenario { border-top: 1px solid var(--rule); margin-top: 28px; }
.charts { display: grid; grid-template-columns: repeat(2, minmax(0, 640px)); gap: 12px 24px; align-items: start; }
.charts figure.tall { grid-row: span 2; }
@media (max-width: 1100px) { .charts { grid-template-columns: minmax(0, 640px); } .charts figure.tall { grid-row: auto; } }
figure { margin: 0; max-width: 640px; }
figcaption { font-size: 12.5px; margin: 2px 0 0 8px; }
svg.chart { display: block; width: 100%; height: auto; font-size: 11px; color: var(--ink); }
svg.chart text { fill: var(--ink); }
svg.chart .heading { font-size: 13px; font-weight: 600; }
svg.chart .axis path, svg.chart .axis-line { stroke: var(--muted); fill: none; }
svg.chart .axis path.grid, svg.chart path.grid { stroke: #eef1f4; }
svg.chart .axis text { fill: var(--muted); }
svg.chart .axis text.label { fill: var(--ink); }
svg.chart .reference { stroke: var(--muted); stroke-dasharray: 4 3; fill: none; }
svg.chart .reference-label { fill: var(--muted); font-size: 10px; }
svg.chart .value { fill: var(--muted); font-size: 10px; font-variant-numeric: tabular-nums; }
svg.chart [data-series="async"], svg.chart [data-legend="async"] { color: var(--async); }
svg.chart [data-series="batch"], svg.chart [data-legend="batch"] { color: var(--batch); }
svg.chart text[data-legend] { fill: currentColor; font-weight: 600; }
svg.chart path.line { fill: none; stroke: currentColor; stroke-width: 1.5; stroke-linejoin: round; stroke-linecap: round; }
svg.chart path.area { fill: currentColor; fill-opacity: 0.2; stroke: currentColor; stroke-width: 1.5; stroke-linejoin: round; }
`;
