// The fuzz host's stdout lines that the fuzz test reads (both ends here):
// one result per scenario, and what killed the host or keeps it alive.

/** A scenario's result: `@@fuzz {"violations":[…],"notes":[…],"wedged":false,"ms":…}`. */
export const RESULT = '@@fuzz ';
/** The host is dying of an uncaught error: `@@fuzz-died <origin>: <error>`. */
export const DIED = '@@fuzz-died ';
/** Stdin ended long ago and the host is still alive: `@@fuzz-lingers [<handles>]`. */
export const LINGERS = '@@fuzz-lingers ';
