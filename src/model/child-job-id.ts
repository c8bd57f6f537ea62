import { createHash } from 'node:crypto';

/**
 * Children of periodic and parameterized parents (spec §1.5, §2.3). Nomad IDs hold a `/`, which
 * Kubernetes names cannot: the child's object name is derived from the same inputs and the Nomad
 * ID travels in an annotation. Pure: the launch time and the random hex come in.
 */

/** Nomad's periodic child ID: `<parent>/periodic-<unix seconds>`. */
export function periodicChildId(parentId: string, launchUnix: number): string {
  return `${parentId}/periodic-${launchUnix}`;
}

/** Nomad's dispatched child ID: `<parent>/dispatch-[<template>-]<unix>-<8 hex>`. */
export function dispatchChildId(parentId: string, unix: number, hex8: string, idPrefixTemplate?: string): string {
  return `${parentId}/dispatch-${idPrefixTemplate ? `${idPrefixTemplate}-` : ''}${unix}-${hex8}`;
}

/** Kubernetes' limit for the names Caravan puts in label values and Pod names. */
const maxName = 63;

/**
 * The child's object name: `<parent>-<suffix>`. A parent name too long to take the suffix is
 * cut and followed by a hash of it, so two parents never share children's names.
 */
function childName(parentName: string, suffix: string): string {
  const plain = `${parentName}-${suffix}`;
  if (plain.length <= maxName) return plain;
  const hash = createHash('sha256').update(parentName).digest('hex').slice(0, 6);
  const room = maxName - suffix.length - hash.length - 2;
  return `${parentName.slice(0, room).replace(/-+$/, '')}-${hash}-${suffix}`;
}

/** `<parent>-periodic-<unix>`: deterministic from the launch time, so a retried launch is the same create. */
export function periodicChildName(parentName: string, launchUnix: number): string {
  return childName(parentName, `periodic-${launchUnix}`);
}

/** `<parent>-dispatch-<unix>-<8 hex>`; the ID prefix template is in the Nomad ID only. */
export function dispatchChildName(parentName: string, unix: number, hex8: string): string {
  return childName(parentName, `dispatch-${unix}-${hex8}`);
}

/**
 * A dispatch with an idempotency token (spec §2.4): the name comes from the token, so a second
 * dispatch with it is a create that answers 409 — atomic, never list-then-create.
 */
export function tokenDispatchChildName(parentName: string, token: string): string {
  return childName(parentName, `dispatch-t${createHash('sha256').update(token).digest('hex').slice(0, 16)}`);
}

/** The launch time in a periodic child's Nomad ID (`…/periodic-<unix>`), in ms; undefined for any other ID. */
export function periodicLaunchOf(childId: string): number | undefined {
  const m = /\/periodic-(\d+)$/.exec(childId);
  return m ? Number(m[1]) * 1000 : undefined;
}
