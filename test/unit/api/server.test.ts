import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller, KubernetesAccess } from '../../../src/api/kubernetes-access.ts';
import { fromNomadJob } from '../../../src/api/nomad/register.ts';
import { buildNomadApi, type NomadApiContext } from '../../../src/api/server.ts';
import { fromProjectRoot } from '../../../src/project.ts';

/** The job the Go client sends for examples/nomad/example.nomad.hcl. */
const exampleJob = (JSON.parse(readFileSync(fromProjectRoot('examples', 'nomad', 'example.json'), 'utf8')) as { Job: Record<string, unknown> }).Job;
const deployer: Caller = { username: 'system:serviceaccount:shop:deployer', groups: ['system:authenticated'] };

describe('request bodies: JSON as fastify reads it, prototype poisoning refused (issue 11 §5)', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    // Everyone is the deployer and may do anything: only the body parser is under test. The
    // route reads the body as a register does and answers with the job's Meta.
    const access = { authenticate: async () => deployer, allowed: async () => true } as unknown as KubernetesAccess;
    const ctx = { access, knownLeader: () => true } as unknown as NomadApiContext;
    app = await buildNomadApi(ctx, [
      {
        path: '/v1/jobs',
        methods: {
          POST: async (req) => {
            const result = fromNomadJob(req.body, { queryNamespace: 'shop' });
            return { body: result.ok ? { meta: result.spec.meta ?? null } : { error: result.error } };
          },
        },
      },
    ]);
  });
  afterAll(() => app.close());

  const register = (payload: string) => app.inject({ method: 'POST', url: '/v1/jobs', headers: { 'x-nomad-token': 'deployer-token' }, payload });

  it('keeps Meta keys named constructor and prototype, as Nomad does', async () => {
    const meta = { constructor: 'storefront', prototype: 'v2', __defineGetter__: 'x' };
    const response = await register(JSON.stringify({ Job: { ...exampleJob, Meta: meta } }));
    expect([response.statusCode, response.json()]).toEqual([200, { meta }]);
  });

  it.each([
    ['a __proto__ key', '{"Job": {"ID": "web", "__proto__": {"polluted": true}}}'],
    ['a __proto__ key in Meta', '{"Job": {"ID": "web", "Meta": {"__proto__": {"polluted": "yes"}}}}'],
    ['a __proto__ key spelled with escapes', '{"Job": {"ID": "web", "\\u005f_proto__": {"polluted": true}}}'],
    ['a constructor object with a prototype key', '{"Job": {"ID": "web", "Meta": {"constructor": {"prototype": {"polluted": true}}}}}'],
  ])('refuses %s: 400, plain text', async (_what, body) => {
    const response = await register(body);
    expect([response.statusCode, response.headers['content-type'], response.body]).toEqual([
      400,
      'text/plain',
      'invalid JSON: a "__proto__" key, or a "constructor" object with a "prototype" key, would reach Object.prototype; rename the key',
    ]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it.each([
    ['malformed JSON', '{"Job": ', 400, /JSON/],
    ['a body over 4 MiB', JSON.stringify({ Job: { ID: 'web', Meta: { big: 'x'.repeat(5 * 1024 * 1024) } } }), 413, /too large/],
  ])('refuses %s as before', async (_what, body, status, message) => {
    const response = await register(body);
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toBe('text/plain');
    expect(response.body).toMatch(message);
  });

  it('reads an empty body as no body (a register then answers Job must be specified)', async () => {
    const response = await register('');
    expect([response.statusCode, response.json()]).toEqual([200, { error: 'Job must be specified' }]);
  });
});
