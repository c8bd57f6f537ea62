import type { CfLink } from './pagination.ts';
import type { CfState, CfStatusReason, CfStatusValue } from './status.ts';

/** CC v3's JSON, snake_case, with its key order (§1, §6). */
export interface CfMetadata {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface CfActionLink extends CfLink {
  readonly method: 'POST';
}

export interface CfDeployment {
  readonly guid: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly status: {
    readonly value: CfStatusValue;
    readonly reason: CfStatusReason;
    readonly details: { readonly last_successful_healthcheck: string; readonly last_status_change: string; readonly error?: string };
    readonly canary?: { readonly steps: { readonly current: number; readonly total: number } };
  };
  readonly strategy: 'rolling' | 'canary';
  readonly options: { readonly max_in_flight: number; readonly canary?: { readonly steps: readonly { readonly instance_weight: number }[] } };
  readonly droplet: { readonly guid: string };
  readonly previous_droplet: { readonly guid: string | null };
  readonly new_processes: readonly { readonly guid: string; readonly type: string }[];
  readonly revision: { readonly guid: string; readonly version: number } | null;
  readonly relationships: { readonly app: { readonly data: { readonly guid: string } } };
  readonly metadata: CfMetadata;
  readonly links: { readonly self: CfLink; readonly app: CfLink; readonly cancel?: CfActionLink; readonly continue?: CfActionLink };
  /** CC stopped emitting it in 3.92; the issue asks for the deprecated field, the cli decodes it if present. */
  readonly state: CfState;
}

export interface CfApp {
  readonly guid: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly name: string;
  readonly state: 'STARTED' | 'STOPPED';
  readonly lifecycle: { readonly type: 'docker'; readonly data: Record<string, never> };
  readonly relationships: {
    readonly space: { readonly data: { readonly guid: string } };
    readonly current_droplet: { readonly data: { readonly guid: string | null } };
  };
  readonly metadata: CfMetadata;
  readonly links: Readonly<Record<string, CfLink | CfActionLink>>;
}

export interface CfRevision {
  readonly guid: string;
  readonly version: number;
  readonly droplet: { readonly guid: string };
  readonly processes: Readonly<Record<string, { readonly command: string | null }>>;
  readonly sidecars: readonly never[];
  readonly description: string;
  readonly relationships: { readonly app: { readonly data: { readonly guid: string } } };
  readonly created_at: string;
  readonly updated_at: string;
  readonly links: { readonly self: CfLink; readonly app: CfLink; readonly environment_variables: CfLink };
  readonly metadata: CfMetadata;
  readonly deployable: boolean;
}

export interface CfDroplet {
  readonly guid: string;
  readonly state: 'STAGED';
  readonly error: null;
  readonly lifecycle: { readonly type: 'docker'; readonly data: Record<string, never> };
  readonly execution_metadata: string;
  readonly process_types: Readonly<Record<string, string>>;
  readonly image: string | null;
  readonly checksum: null;
  readonly buildpacks: null;
  readonly stack: null;
  readonly created_at: string;
  readonly updated_at: string;
  readonly relationships: { readonly app: { readonly data: { readonly guid: string } } };
  readonly metadata: CfMetadata;
  readonly links: { readonly self: CfLink; readonly app: CfLink; readonly assign_current_droplet: CfActionLink };
}

/** CC's timestamps: UTC, to the second, no fraction. */
export const cfTime = (at: string | number | Date): string => new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
