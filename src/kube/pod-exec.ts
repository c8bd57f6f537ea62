import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';
import { Writable } from 'node:stream';

/** How one `kubectl exec` ended, as the API server's exec stream (or the refusal of it) said. */
export type ExecOutcome =
  | { readonly kind: 'ok' }
  /** The command ran and exited with a code other than 0. */
  | { readonly kind: 'exit'; readonly code: number; readonly output: string }
  /** The API server refused the exec request itself (its HTTP status). */
  | { readonly kind: 'refused'; readonly status: number; readonly message: string }
  /** The command could not be started, or the stream broke: the runtime's or the API server's message. */
  | { readonly kind: 'failed'; readonly message: string; readonly output: string };

/** What one exec into a container is: where, and the command (no stdin, no TTY). */
export interface ExecTarget {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly command: readonly string[];
}

/** A sink that keeps the first few KiB written to it (a command's stdout and stderr). */
function collector(limit = 4096): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (text.length < limit) text += chunk.toString('utf8').slice(0, limit - text.length);
      done();
    },
  });
  return { stream, text: () => text };
}

/** The exit code in a NonZeroExitCode Status (`details.causes[{reason: ExitCode, message: "1"}]`). */
function exitCodeOf(status: V1Status): number | undefined {
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const code = Number(cause?.message);
  return cause && Number.isInteger(code) ? code : undefined;
}

/** `Unexpected server response: 403`: the API server answered the upgrade with an HTTP error. */
function refusedStatus(error: unknown): number | undefined {
  const message = (error as { message?: string })?.message ?? String(error);
  const code = /Unexpected server response: (\d{3})/.exec(message)?.[1];
  return code === undefined ? undefined : Number(code);
}

/**
 * Runs a command in a container through the API server's `pods/exec` (WebSocket) with `kc`'s
 * credentials, and says how it ended: the exec protocol's closing Status carries the exit code, or
 * the runtime's error when the command could not start. Gives up after `timeoutMs`.
 */
export async function execInContainer(kc: KubeConfig, target: ExecTarget, timeoutMs = 15_000): Promise<ExecOutcome> {
  const out = collector();
  let status: V1Status | undefined;
  let socket: Awaited<ReturnType<Exec['exec']>>;
  try {
    socket = await new Exec(kc).exec(target.namespace, target.pod, target.container, [...target.command], out.stream, out.stream, null, false, (s) => {
      status = s;
    });
  } catch (error) {
    const code = refusedStatus(error);
    const message = (error as { message?: string })?.message ?? String(error);
    return code === undefined ? { kind: 'failed', message, output: '' } : { kind: 'refused', status: code, message };
  }
  const closed = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  if (!closed) {
    socket.terminate();
    return { kind: 'failed', message: `no answer within ${timeoutMs / 1000}s`, output: out.text() };
  }
  if (!status) return { kind: 'failed', message: 'the exec stream closed without a status', output: out.text() };
  if (status.status === 'Success') return { kind: 'ok' };
  const code = exitCodeOf(status);
  if (status.reason === 'NonZeroExitCode' && code !== undefined) return { kind: 'exit', code, output: out.text() };
  return { kind: 'failed', message: status.message ?? status.reason ?? 'exec failed', output: out.text() };
}
