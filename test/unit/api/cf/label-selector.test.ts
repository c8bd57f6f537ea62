import { describe, expect, it } from 'vitest';
import { matchesLabels, parseLabelSelector } from '../../../../src/api/cf/label-selector.ts';

// Spec §3.1.2: the six forms, first pattern that matches wins, all requirements must hold.
const labels = { env: 'prod', tier: 'web', 'example.com/team': 'a' };

describe('label_selector grammar (spec §3.1.2)', () => {
  it.each([
    ['in: present with one of the values', 'env in (prod,dev)', true],
    ['in: present with none', 'env in (dev,qa)', false],
    ['in: absent', 'zone in (a)', false],
    ['notin: present with none of the values', 'env notin (dev)', true],
    ['notin: present with one', 'env notin (prod,dev)', false],
    ['notin: absent', 'zone notin (a)', true],
    ['key=v', 'env=prod', true],
    ['key==v', 'env==prod', true],
    ['key=other', 'env=dev', false],
    ['key= (empty) matches nothing', 'env=', false],
    ['key!=v absent', 'zone!=a', true],
    ['key!=v same value', 'env!=prod', false],
    ['key!= excludes nothing', 'env!=', true],
    ['key exists', 'tier', true],
    ['key missing', 'zone', false],
    ['!key absent', '!zone', true],
    ['!key present', '!tier', false],
    ['prefixed key', 'example.com/team=a', true],
    ['AND of requirements, comma inside parentheses kept', 'env in (prod,dev),tier=web', true],
    ['AND fails when one fails', 'env in (prod,dev),tier=db', false],
  ])('%s: %s', (_name, selector, matches) => {
    const parsed = parseLabelSelector(selector);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(matchesLabels(labels, parsed.requirements)).toBe(matches);
  });

  it.each([
    ['empty selector', '', 'Missing label_selector value'],
    ['no pattern matches', 'env = prod', 'Invalid label_selector value'],
    ['more than one slash', 'a/b/c=x', "key has more than one '/'"],
    ['prefix not dns', 'bad_prefix!/x=y', 'Invalid label_selector value'],
    ['prefix not dns (in)', 'bad_prefix/x in (y)', "prefix 'bad_prefix' must be in valid dns format"],
    ['reserved prefix', 'cloudfoundry.org/x=y', "prefix 'cloudfoundry.org' is reserved"],
    ['empty name', 'example.com/=y', 'key cannot be empty string'],
    ['name starts badly', '-x=y', "'-x' starts or ends with invalid characters"],
    ['name too long', `${'a'.repeat(64)}=y`, "'aaaaaaaa...' is greater than 63 characters"],
    ['value invalid characters', 'x in (a b)', "'a b' contains invalid characters"],
    ['value starts badly', 'x=_a', "'_a' starts or ends with invalid characters"],
    ['value too long', `x=${'b'.repeat(64)}`, "'bbbbbbbb...' is greater than 63 characters"],
    ['too many requirements', Array.from({ length: 51 }, (_, i) => `k${i}`).join(','), 'Too many label_selector requirements (maximum is 50)'],
  ])('%s → %s', (_name, selector, message) => {
    expect(parseLabelSelector(selector)).toEqual({ ok: false, errors: [message] });
  });
});
