import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InvalidOptionError } from '../errors.js';

/**
 * Where a host's module and file names lead on the far side. With a root
 * folder (`tidemark serve --transforms <dir>`), a name is a path relative to
 * it and nothing outside it can be named, symbolic links included: a remote
 * name that loads a module is code execution. Without one (an engine in a
 * worker the host spawned, which trusts it), a name is any file URL or path.
 */
export class ModuleNames {
  readonly #root: string | undefined;

  constructor(root: string | URL | undefined) {
    if (root === undefined) return;
    const dir = root instanceof URL ? fileURLToPath(root) : path.resolve(root);
    this.#root = realpathSync(dir);
  }

  /** The folder names are relative to, if there is one. */
  get root(): string | undefined {
    return this.#root;
  }

  /** The file URL of the module or file `name`, given as option `option`. */
  resolve(option: string, name: unknown): URL {
    const root = this.#root;
    if (root === undefined) {
      if (name instanceof URL) return name;
      if (typeof name !== 'string' || name === '') throw new InvalidOptionError(option, 'a file URL or path', name);
      return name.startsWith('file:') || name.startsWith('data:') ? new URL(name) : pathToFileURL(path.resolve(name));
    }
    if (typeof name !== 'string' || name === '' || name.includes('\0')) {
      throw new InvalidOptionError(option, 'a path relative to the served folder', name);
    }
    const outside = (): InvalidOptionError =>
      new InvalidOptionError(option, 'a path inside the served folder (nothing outside it can be named)', name);
    if (path.isAbsolute(name) || /^[a-z][a-z0-9+.-]*:/i.test(name)) throw outside();
    const full = path.resolve(root, name);
    if (!inside(root, full)) throw outside();
    let real: string;
    try {
      real = realpathSync(full);
    } catch {
      throw new InvalidOptionError(option, 'the name of a file in the served folder', name);
    }
    if (!inside(root, real)) throw outside();
    return pathToFileURL(real);
  }
}

function inside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
