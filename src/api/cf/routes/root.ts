import type { CfRoute } from '../server.ts';

/** The CC version reported: cli v9 needs ≥ 3.189.0 for canary steps (spec §6.1). */
export const ccVersion = '3.228.0';

const v3Resources = [
  'app_usage_events',
  'apps',
  'audit_events',
  'buildpacks',
  'builds',
  'deployments',
  'domains',
  'droplets',
  'environment_variable_groups',
  'feature_flags',
  'info',
  'isolation_segments',
  'organizations',
  'organization_quotas',
  'packages',
  'processes',
  'resource_matches',
  'roles',
  'routes',
  'security_groups',
  'service_brokers',
  'service_instances',
  'service_credential_bindings',
  'service_offerings',
  'service_plans',
  'service_route_bindings',
  'service_usage_events',
  'spaces',
  'space_quotas',
  'stacks',
  'tasks',
  'users',
];

/**
 * `GET /`, `GET /v3` and `GET /v3/info` (spec §6.1-6.3), without a token as in CC. Caravan runs
 * no UAA, router, log cache or SSH proxy: those links are null, and `login`/`uaa` point at this
 * API (tokens are Kubernetes tokens, obtained with `kubectl create token`).
 */
export const rootRoutes: CfRoute[] = [
  {
    method: 'GET',
    path: '/',
    anonymous: true,
    handler: async (req) => ({
      status: 200,
      body: {
        links: {
          self: { href: req.base },
          cloud_controller_v3: { href: `${req.base}/v3`, meta: { version: ccVersion } },
          network_policy_v0: null,
          network_policy_v1: null,
          login: { href: req.base },
          uaa: { href: req.base },
          credhub: null,
          routing: null,
          logging: null,
          log_cache: null,
          log_stream: null,
          app_ssh: null,
        },
      },
    }),
  },
  {
    method: 'GET',
    path: '/v3',
    anonymous: true,
    handler: async (req) => ({
      status: 200,
      body: { links: { self: { href: `${req.base}/v3` }, ...Object.fromEntries(v3Resources.map((name) => [name, { href: `${req.base}/v3/${name}` }])) } },
    }),
  },
  {
    method: 'GET',
    path: '/v3/info',
    anonymous: true,
    handler: async (req) => ({
      status: 200,
      body: {
        build: '',
        cli_version: { minimum: '', recommended: '' },
        custom: {},
        description: 'Caravan: Nomad deployments on Kubernetes',
        name: 'caravan',
        version: 0,
        osbapi_version: '',
        rate_limits: { enabled: false, general_limit: '', reset_interval_in_minutes: '' },
        links: { self: { href: `${req.base}/v3/info` }, support: { href: '' } },
      },
    }),
  },
];
