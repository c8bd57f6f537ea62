import { apiGroup, apiGroupVersion, apiVersion } from '../resources/api-version.ts';
import { object, type Schema, type ValidationRule } from './openapi.ts';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'date' | 'boolean' | 'number';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface CustomResource {
  readonly kind: string;
  readonly plural: string;
  readonly shortName: string;
  readonly description: string;
  readonly spec: Schema;
  readonly status: Schema;
  readonly columns: readonly PrinterColumn[];
  readonly rules?: readonly ValidationRule[];
}

/** A namespaced caravan.dev/v1alpha1 CRD with a status subresource. */
export function customResourceDefinition(r: CustomResource): object {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${r.plural}.${apiGroup}` },
    spec: {
      group: apiGroup,
      names: {
        kind: r.kind,
        listKind: `${r.kind}List`,
        plural: r.plural,
        singular: r.kind.toLowerCase(),
        shortNames: [r.shortName],
        categories: ['caravan', 'nomad'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: apiGroupVersion,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [...r.columns, { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }],
          schema: {
            openAPIV3Schema: object(
              {
                apiVersion: { type: 'string', description: apiVersion },
                kind: { type: 'string', description: r.kind },
                metadata: { type: 'object' },
                spec: r.spec,
                status: r.status,
              },
              r.description,
              { required: ['spec'], ...(r.rules ? { 'x-kubernetes-validations': [...r.rules] } : {}) },
            ),
          },
        },
      ],
    },
  };
}
