import { labels } from '../../resources/labels.ts';
import type { ClusterView } from '../cluster-view.ts';
import { notFound, serverError } from '../http-error.ts';
import type { Route } from '../server.ts';

/**
 * What Nomad's client endpoints ask that Kubernetes cannot do to a running Pod: restart a task
 * in place (a container restarts only when it exits, or with the whole Pod) or deliver a signal
 * (only the kubelet's own stop does). They answer with that, and with what to do instead,
 * rather than pretending; an unknown allocation is Nomad's 404.
 */
export function clientAllocationRoutes(view: ClusterView): Route[] {
  const refusal = {
    restart:
      'restarting a task in place is not possible on Kubernetes (a container restarts only when its process exits): stop the allocation instead (nomad alloc stop, or POST /v1/allocation/:id/stop); Caravan places a replacement',
    signal:
      'sending a signal to a task is not possible through Kubernetes: stop the allocation instead (nomad alloc stop), which sends SIGTERM and, after the grace period, SIGKILL',
  } as const;
  return (['restart', 'signal'] as const).map((action) => ({
    path: `/v1/client/allocation/:id/${action}`,
    methods: {
      POST: async (req) => {
        await req.authorize({ verb: 'delete', group: '', resource: 'pods', namespace: req.options.namespace });
        const id = req.params['id'] ?? '';
        const pod = view.podByUid(id.toLowerCase());
        if (!pod || !pod.metadata?.labels?.[labels.job] || (req.options.namespace !== '*' && pod.metadata.namespace !== req.options.namespace))
          throw notFound(`Unknown allocation ${JSON.stringify(id)}`);
        throw serverError(refusal[action]);
      },
    },
  }));
}
