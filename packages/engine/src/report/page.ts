import { escapeHtml } from './format.js';
import { reportStyle } from './report-style.js';

/** What a report page holds. */
export interface PageParts {
  /** The page's title and heading (text). */
  readonly title: string;
  /** One line on where the runs ran (text). */
  readonly machine: string;
  /** The paragraphs under the heading, as HTML built from escaped parts. */
  readonly intro: readonly string[];
  /** The sections, as HTML. */
  readonly main: string;
}

/**
 * One self-contained HTML document: the report style inline, the title,
 * the machine line and the introduction in the header, then the sections.
 * No script, nothing fetched, so it opens offline.
 */
export function reportPage(parts: PageParts): string {
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(parts.title)}</title><style>${reportStyle}</style></head>\n<body><header>` +
    `<h1>${escapeHtml(parts.title)}</h1><p class="machine">${escapeHtml(parts.machine)}</p>` +
    parts.intro.map((paragraph) => `<p class="lede">${paragraph}</p>`).join('') +
    `</header>\n<main>${parts.main}</main></body></html>\n`
  );
}
