/** Nomad's allocation name, `<job>.<group>[<index>]` (NOMAD_ALLOC_NAME, and the Name the API shows). */
export function allocationName(job: string, group: string, index: number): string {
  return `${job}.${group}[${index}]`;
}
