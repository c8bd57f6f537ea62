/**
 * Cloud Controller's error envelope (`{"errors": [{detail, title, code}]}`) and the errors the
 * v3 deployments endpoints produce, with CC's exact titles, codes and texts (errors/v2.yml).
 */
export interface CfErrorBody {
  readonly errors: readonly { readonly detail: string; readonly title: string; readonly code: number }[];
}

export class CfHttpError extends Error {
  readonly status: number;
  readonly title: string;
  readonly code: number;

  constructor(status: number, title: string, code: number, detail: string) {
    super(detail);
    this.status = status;
    this.title = title;
    this.code = code;
  }

  get body(): CfErrorBody {
    return { errors: [{ detail: this.message, title: this.title, code: this.code }] };
  }
}

/** CC joins several messages of one failed validation into one error object. */
const joined = (messages: readonly string[]) => messages.join(', ');

export const cfErrors = {
  notAuthenticated: () => new CfHttpError(401, 'CF-NotAuthenticated', 10002, 'Authentication error'),
  invalidAuthToken: () => new CfHttpError(401, 'CF-InvalidAuthToken', 1000, 'Invalid Auth Token'),
  notAuthorized: () => new CfHttpError(403, 'CF-NotAuthorized', 10003, 'You are not authorized to perform the requested action'),
  badQueryParameter: (messages: readonly string[]) =>
    new CfHttpError(400, 'CF-BadQueryParameter', 10005, `The query parameter is invalid: ${joined(messages)}`),
  messageParseError: () => new CfHttpError(400, 'CF-MessageParseError', 1001, 'Request invalid due to parse error: invalid request body'),
  resourceNotFound: (detail: 'Deployment not found' | 'App not found' | 'Revision not found' | 'Droplet not found') =>
    new CfHttpError(404, 'CF-ResourceNotFound', 10010, detail),
  unknownRequest: () => new CfHttpError(404, 'CF-NotFound', 10000, 'Unknown request'),
  unprocessable: (messages: readonly string[]) => new CfHttpError(422, 'CF-UnprocessableEntity', 10008, joined(messages)),
  serviceUnavailable: (detail: string) => new CfHttpError(503, 'CF-ServiceUnavailable', 10015, detail),
  /** CC's catch-all has no `CF-` prefix. */
  unknown: () => new CfHttpError(500, 'UnknownError', 10001, 'An unknown error occurred.'),
} as const;

/** The 422 texts of §2.5, §2.6 and §3.3 that Caravan produces. */
export const cfRefusals = {
  continueNotPaused: (value: string, reason: string) => `Cannot continue a deployment with status: ${value} and reason: ${reason}`,
  cancelFinalized: (value: string, reason: string) => `Cannot cancel a deployment with status: ${value} and reason: ${reason}`,
  bothDropletAndRevision: "Droplet Cannot set both fields 'droplet' and 'revision'",
  unusableApp: 'Unable to use app. Ensure that the app exists and you have access to it.',
  revisionMissing: 'The revision does not exist',
  rollbackToCurrent: 'Unable to rollback. The code and configuration you are rolling back to is the same as the deployed revision.',
  dropletNotOfApp: 'Unable to assign current droplet. Ensure the droplet exists and belongs to this app.',
  noDroplet: 'Invalid droplet. Please specify a droplet in the request or set a current droplet for the app.',
} as const;
