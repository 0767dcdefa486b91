// Exit codes (as knip): 0 success, 1 findings, 2 usage or runtime error.
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

/** An error meant for the user: printed as one line (no stack unless --debug), exit code 2. */
export class EdgelogError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_ERROR,
  ) {
    super(message);
    this.name = 'EdgelogError';
  }
}
