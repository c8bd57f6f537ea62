/** Node label carrying a node's Nomad datacenter; a job's `datacenters` select on it. */
export const datacenterLabel = 'caravan.dev/datacenter';
export const zoneLabel = 'topology.kubernetes.io/zone';
