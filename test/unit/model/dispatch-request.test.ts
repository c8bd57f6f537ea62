import { describe, expect, it } from 'vitest';
import { dispatchProblem } from '../../../src/model/dispatch-request.ts';
import type { ParameterizedSpec } from '../../../src/model/nomad-job-spec.ts';

describe("dispatch validation in Nomad's order and words (spec §2.2)", () => {
  it.each<[string, ParameterizedSpec, number, Record<string, string>, string | undefined]>([
    ['optional payload, none given', {}, 0, {}, undefined],
    ['required payload missing', { payload: 'required' }, 0, {}, 'Payload is not provided but required by parameterized job'],
    ['forbidden payload given', { payload: 'forbidden' }, 1, {}, 'Payload provided but forbidden by parameterized job'],
    ['16 KiB is allowed', {}, 16384, {}, undefined],
    ['one byte over 16 KiB', {}, 16385, {}, 'Payload exceeds maximum size; 16385 > 16384'],
    ['a required key given', { metaRequired: ['customer'] }, 0, { customer: 'acme' }, undefined],
    ['a required key missing', { metaRequired: ['customer', 'mode'] }, 0, { customer: 'acme' }, 'Dispatch did not provide required meta keys: [mode]'],
    ['an unknown key', { metaOptional: ['mode'] }, 0, { a: '1', b: '2' }, 'Dispatch request included unpermitted metadata keys: [a b]'],
    ['the unpermitted-key error wins over a missing key', { metaRequired: ['b'] }, 0, { a: '1' }, 'Dispatch request included unpermitted metadata keys: [a]'],
  ])('%s', (_rule, p, bytes, meta, expected) => expect(dispatchProblem(p, { payloadBytes: bytes, meta })).toBe(expected));
});
