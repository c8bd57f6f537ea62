import { AuthenticationV1Api, AuthorizationV1Api, type KubeConfig, type V1SubjectAccessReviewSpec } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';

/** Who a token belongs to, as the API server's TokenReview says. */
export interface Caller {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

/** What a request does, in Kubernetes terms (a SubjectAccessReview's resourceAttributes). */
export interface Access {
  readonly verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';
  readonly group: string;
  readonly resource: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
}

/** A small map that forgets entries after a time and never holds more than `max`. */
class ExpiringCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  private readonly max: number;
  constructor(max: number) {
    this.max = max;
  }
  get(key: string, now: number): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires > now) return e.value;
    this.entries.delete(key);
    return undefined;
  }
  set(key: string, value: V, expires: number): void {
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, expires });
  }
}

/**
 * Nomad tokens are Kubernetes bearer tokens: TokenReview says who the caller is, and a
 * SubjectAccessReview per request says whether Kubernetes RBAC lets them do the equivalent
 * Kubernetes action, so a caller sees and changes through the Nomad API exactly what kubectl
 * would let them. Answers are cached briefly (as the API server's own webhook authenticator and
 * authorizer do): 30 s for a valid token, 5 s for a refusal.
 */
export class KubernetesAccess {
  private readonly authn: AuthenticationV1Api;
  private readonly authz: AuthorizationV1Api;
  private readonly tokens = new ExpiringCache<Caller | null>(10_000);
  private readonly decisions = new ExpiringCache<boolean>(50_000);
  private readonly now: () => number;

  constructor(kc: KubeConfig, now: () => number = Date.now) {
    this.now = now;
    this.authn = kc.makeApiClient(AuthenticationV1Api);
    this.authz = kc.makeApiClient(AuthorizationV1Api);
  }

  /** The caller, or undefined when the API server does not accept the token. */
  async authenticate(token: string): Promise<Caller | undefined> {
    const key = createHash('sha256').update(token).digest('hex');
    const now = this.now();
    const cached = this.tokens.get(key, now);
    if (cached !== undefined) return cached ?? undefined;
    const review = await this.authn.createTokenReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } } });
    const user = review.status?.authenticated ? review.status.user : undefined;
    const caller: Caller | null = user?.username
      ? { username: user.username, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups ?? [], ...(user.extra ? { extra: user.extra } : {}) }
      : null;
    this.tokens.set(key, caller, now + (caller ? 30_000 : 5_000));
    return caller ?? undefined;
  }

  async allowed(caller: Caller, access: Access): Promise<boolean> {
    const spec = subjectAccessReviewSpec(caller, access);
    const key = JSON.stringify(spec);
    const now = this.now();
    const cached = this.decisions.get(key, now);
    if (cached !== undefined) return cached;
    const review = await this.authz.createSubjectAccessReview({ body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec } });
    const allowed = review.status?.allowed === true && review.status.denied !== true;
    this.decisions.set(key, allowed, now + (allowed ? 10_000 : 5_000));
    return allowed;
  }
}

/**
 * The SubjectAccessReview that asks whether `caller` may do `access`, in a canonical form (groups,
 * extra keys and extra values sorted): it is also the decision cache's key, so two callers share
 * a decision only when they would send the same review. That includes `extra`, which an
 * authorizer may decide on: the credential ID, the pod a token is bound to, a token's scopes
 * (issue 11 §5).
 */
export function subjectAccessReviewSpec(caller: Caller, access: Access): V1SubjectAccessReviewSpec {
  const extra = Object.entries(caller.extra ?? {})
    .sort(([a], [b]) => compare(a, b))
    .map(([k, values]) => [k, [...values].sort(compare)] as const);
  return {
    user: caller.username,
    ...(caller.uid ? { uid: caller.uid } : {}),
    groups: [...caller.groups].sort(compare),
    ...(extra.length > 0 ? { extra: Object.fromEntries(extra) } : {}),
    resourceAttributes: {
      verb: access.verb,
      group: access.group,
      resource: access.resource,
      ...(access.namespace ? { namespace: access.namespace } : {}),
      ...(access.name ? { name: access.name } : {}),
      ...(access.subresource ? { subresource: access.subresource } : {}),
    },
  };
}

/** Code-unit order, independent of locale (Array.prototype.sort's default, spelled out). */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
