/** Caravan's API group and version: every NomadJob and NomadDeployment is `caravan.dev/v1alpha1`. */
export const apiGroup = 'caravan.dev';
export const apiGroupVersion = 'v1alpha1';
export const apiVersion = `${apiGroup}/${apiGroupVersion}` as const;

/** A custom resource as CustomObjectsApi addresses it (spread into its requests). */
export interface CustomResourceName {
  readonly group: typeof apiGroup;
  readonly version: typeof apiGroupVersion;
  readonly plural: string;
}

export const nomadJobResource = { group: apiGroup, version: apiGroupVersion, plural: 'nomadjobs' } as const satisfies CustomResourceName;
export const nomadDeploymentResource = { group: apiGroup, version: apiGroupVersion, plural: 'nomaddeployments' } as const satisfies CustomResourceName;

/** The resource's objects in every namespace, as an informer lists and watches them. */
export function collectionPath(r: CustomResourceName): string {
  return `/apis/${r.group}/${r.version}/${r.plural}`;
}
