/**
 * go-bexpr treats a missing key differently in a Go map and a Go struct: `Meta.owner == "x"` is
 * false for a job without that meta key, but `Stauts == "running"` (a struct field that does not
 * exist) fails the whole request with 400. Our objects are JSON, where both are plain objects;
 * this option says which fields hold maps.
 */
export interface FilterOptions {
  /**
   * Names of fields whose object value is a Go map. When given, every other plain object (the
   * top-level value, list elements, map values) is a Go struct, and a selector naming a key it
   * lacks is an error, as in Nomad. When absent, every plain object is a map: a selector that
   * does not resolve never fails, it takes go-bexpr's missing-map-key answer.
   */
  readonly mapFields?: ReadonlySet<string>;
}

/**
 * The map-typed fields of Nomad's Job, Allocation, Deployment and JobSummary (nomad/structs),
 * which is what Nomad filters list endpoints on. A name that is a list elsewhere (TaskGroups is
 * a list in a Job, a map in a Deployment) is harmless here: lists are lists whatever the name.
 */
export const NOMAD_MAP_FIELDS: ReadonlySet<string> = new Set([
  // Job, TaskGroup, Task
  'Meta',
  'Env',
  'Config',
  'Volumes',
  // Deployment
  'TaskGroups',
  // JobSummary
  'Summary',
  // Allocation
  'TaskStates',
  'TaskResources',
  'Tasks', // AllocatedResources.Tasks
  'TaskLifecycles',
  'SignedIdentities',
  // Allocation.Metrics
  'NodesAvailable',
  'ClassFiltered',
  'ConstraintFiltered',
  'ClassExhausted',
  'DimensionExhausted',
  'ResourcesExhausted',
  'Scores',
]);
