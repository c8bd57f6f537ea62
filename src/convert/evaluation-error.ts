/** An HCL expression caravan convert cannot evaluate; the message says why, for the user. */
export class EvaluationError extends Error {
  /** Set when the expression uses a local not evaluated yet: locals are retried in another order. */
  readonly missingLocal: string | undefined;
  constructor(message: string, missingLocal?: string) {
    super(message);
    this.missingLocal = missingLocal;
  }
}
