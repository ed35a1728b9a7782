import { fileURLToPath } from 'node:url';
import { checkWritable } from '../output-files.js';
import { refuseWritingRead } from '../same-file.js';
import type { ReadFile } from '../same-file.js';

/**
 * Refuse, before the input is read or anything runs, a `--report` that
 * could not be written at the end (a folder, a missing folder, no
 * permission, an empty name), as `run` refuses its outputs, or that names
 * the input or the transform module it benches (the HTML would replace it).
 */
export function checkReport(report: string, reads: { readonly input?: string | undefined; readonly transform?: string | undefined }): void {
  checkWritable('--report', report, 'file');
  const files: ReadFile[] = [];
  if (reads.input !== undefined) files.push({ what: 'input file', noun: 'input', path: reads.input });
  const transform = reads.transform === undefined ? undefined : modulePath(reads.transform);
  if (transform !== undefined) files.push({ what: 'transform module', noun: 'transform', path: transform });
  refuseWritingRead('--report', report, 'overwrite', files);
}

/** The file a transform names (a path or a `file:` URL), or undefined for a module that is not a file. */
function modulePath(transform: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]+:/i.test(transform)) return transform;
  try {
    const url = new URL(transform);
    return url.protocol === 'file:' ? fileURLToPath(url) : undefined;
  } catch {
    return undefined;
  }
}
