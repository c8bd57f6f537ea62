import { describe, expect, it } from 'vitest';
import { gitOpsWarning, planRevert } from '../../../src/plugin/revert.ts';
import { versions, webJob, webSpec } from './fixtures.ts';

describe("revert: version N's spec written back as the user's change", () => {
  it('writes the spec of the version asked for', () => {
    expect(planRevert(webJob(), versions, 0)).toEqual({ kind: 'write', spec: webSpec('nginx:1'), target: versions[0] });
  });

  it('changes nothing when the job already has that spec', () => {
    expect(planRevert(webJob(), versions, 1)).toEqual({ kind: 'unchanged', target: versions[1] });
  });

  it('refuses a version that is not kept, naming those that are', () => {
    expect(planRevert(webJob(), versions, 7)).toEqual({ kind: 'refused', error: 'NomadJob "web" has no version 7; versions kept: 0, 1' });
  });

  it('warns that GitOps tools will see drift', () => {
    expect(gitOpsWarning('web', 0)).toMatch(/version 0's spec into NomadJob web .* report drift .* revert the change in Git too/);
  });
});
