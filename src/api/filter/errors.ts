/**
 * A filter that parsed but cannot be applied to an object: a field that does not exist, a list
 * compared with ==, a regex against a number. go-bexpr reports these while evaluating, and Nomad
 * answers 400 for the whole request (see nomadEvaluationErrorBody).
 */
export class FilterEvaluationError extends Error {
  override readonly name = 'FilterEvaluationError';
}

/**
 * Nomad's 400 bodies for a bad `?filter=` (nomad/state/paginator): the parse error is wrapped
 * twice, e.g. `failed to create result paginator: failed to read filter expression: 1:21 (20):
 * rule "grouping": Unmatched parentheses` (hashicorp/nomad#23445).
 */
export const nomadParseErrorBody = (parseError: string) => `failed to create result paginator: failed to read filter expression: ${parseError}`;

/** Nomad's 400 body when evaluating the filter against an object failed. */
export const nomadEvaluationErrorBody = (error: FilterEvaluationError) => `failed to read result page: ${error.message}`;
