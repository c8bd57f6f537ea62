/**
 * An error answered as Nomad answers: the status code and a plain-text body (Nomad's HTTP layer
 * writes error messages as text, not JSON). Most semantic failures are 500 in Nomad (validation,
 * check-and-set, terminal-deployment errors); the code is chosen where the error is raised.
 */
export class NomadHttpError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export const badRequest = (message: string) => new NomadHttpError(400, message);
export const forbidden = () => new NomadHttpError(403, 'Permission denied');
export const notFound = (message: string) => new NomadHttpError(404, message);
export const serverError = (message: string) => new NomadHttpError(500, message);
