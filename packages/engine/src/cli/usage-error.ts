/**
 * A problem with the command line that tidemark finds itself (commander
 * reports its own): the CLI prints its message as one line on stderr,
 * `tidemark: <message>`, and exits 2.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
