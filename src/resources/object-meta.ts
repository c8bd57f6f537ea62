/** The metadata of Caravan's custom objects as the API server returns it (times as RFC 3339 strings). */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Any Kubernetes object, as far as its owners go (client-node's V1Pod, a NomadDeployment, …). */
interface Owned {
  readonly metadata?: { readonly ownerReferences?: readonly { readonly uid?: string }[] | undefined } | undefined;
}

/**
 * Whether an object belongs to the job with this UID. Objects of an earlier job of the same name
 * (deleted and created again, its dependents not yet collected) do not. An object without owner
 * references, or a job whose UID is not known yet, is taken to belong.
 */
export function isOwnedBy(obj: Owned, uid: string | undefined): boolean {
  const owners = obj.metadata?.ownerReferences ?? [];
  return uid === undefined || owners.length === 0 || owners.some((o) => o.uid === uid);
}
