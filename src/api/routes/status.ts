import type { ApiResponse } from '../server.ts';
import type { RouteTable } from './route-table.ts';

/** Caravan serves one cluster: one region, and the Nomad version whose API it follows. */
export const region = 'global';
export const nomadApiVersion = '1.10.0';

const leaderAddress = '127.0.0.1:4647';

/**
 * What Nomad's CLI and client ask on their way to the job endpoints: the leader, the peers, the
 * regions, and the agent's own configuration. No RBAC beyond a valid token: they describe
 * Caravan, not anything in the cluster.
 */
export const statusRoutes: RouteTable = {
  '/v1/status/leader': { GET: leader },
  '/v1/status/peers': { GET: peers },
  '/v1/regions': { GET: regions },
  '/v1/agent/self': { GET: agentSelf },
};

async function leader(): Promise<ApiResponse> {
  return { body: leaderAddress };
}

async function peers(): Promise<ApiResponse> {
  return { body: [leaderAddress] };
}

async function regions(): Promise<ApiResponse> {
  return { body: [region] };
}

async function agentSelf(): Promise<ApiResponse> {
  return {
    body: {
      config: {
        Region: region,
        Datacenter: 'dc1',
        NodeName: 'caravan',
        Version: { Version: nomadApiVersion, VersionPrerelease: '', VersionMetadata: 'caravan' },
        ACL: { Enabled: true },
      },
      member: {
        Name: 'caravan.global',
        Addr: '127.0.0.1',
        Port: 4648,
        Status: 'alive',
        Tags: { region, dc: 'dc1', role: 'nomad', build: nomadApiVersion },
      },
      stats: {},
    },
  };
}
