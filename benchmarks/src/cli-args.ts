/**
 * The benchmark's command-line arguments. `pnpm bench:x -- --flag` hands the
 * `--` on through the nested pnpm run, which parseArgs would read as the end
 * of the options: a leading one is dropped.
 */
export function benchArgs(): string[] {
  const args = process.argv.slice(2);
  return args[0] === '--' ? args.slice(1) : args;
}
