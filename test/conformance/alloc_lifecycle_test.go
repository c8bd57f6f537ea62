package conformance

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/nomad/api"
)

// TestAllocLifecycle: Allocations().Signal and Allocations().Restart, Nomad's client endpoints,
// which Caravan carries out with pods/exec: `kill -s <signal> 1` in the task's container
// (issue 13 §5). On the local cluster kwok's exec records the call (scripts/kwok-exec/sh) and no
// container really restarts, so the restart checked here is Nomad's refusals; the restart itself
// is test/e2e/nomad-api/alloc-lifecycle.test.ts, which plays the kubelet's part.
func TestAllocLifecycle(t *testing.T) {
	c := server(t)
	id := uniqueID("life")
	f := newFlow(t)
	var alloc *api.Allocation

	f.step("RolloutVersion0", func(t *testing.T) {
		registerAndRoll(t, c, serviceJob(id, imageV0, jobOptions{}))
		stubs := liveAllocs(followJobAllocs(t, c, id, "a running allocation", func(as []*api.AllocationListStub) bool {
			return slices.ContainsFunc(liveAllocs(as), func(a *api.AllocationListStub) bool { return a.ClientStatus == api.AllocClientStatusRunning })
		}))
		i := slices.IndexFunc(stubs, func(a *api.AllocationListStub) bool { return a.ClientStatus == api.AllocClientStatusRunning })
		a, _, err := c.api.Allocations().Info(stubs[i].ID, nil)
		if err != nil {
			t.Fatalf("Allocations().Info: %v", err)
		}
		alloc = a
	})

	f.check("Signal", func(t *testing.T) {
		if err := c.api.Allocations().Signal(alloc, nil, taskName, "SIGHUP"); err != nil {
			t.Fatalf("Allocations().Signal(%s, SIGHUP): %v", taskName, err)
		}
		// Nomad's client answers a GenericResponse with no X-Nomad-Index header.
		strict[api.GenericResponse](t, c, "POST /v1/client/allocation/:id/signal")
		a, _, err := c.api.Allocations().Info(alloc.ID, nil)
		if err != nil {
			t.Fatalf("Allocations().Info: %v", err)
		}
		strictRead[api.Allocation](t, c, "GET /v1/allocation/:id after a signal")
		events := a.TaskStates[taskName].Events
		i := slices.IndexFunc(events, func(e *api.TaskEvent) bool { return e.Type == api.TaskSignaling })
		if i < 0 {
			t.Fatalf("TaskStates.%s.Events has no %q event after a signal: %s", taskName, api.TaskSignaling, describe(events))
		}
		want(t, "Signaling DisplayMessage", events[i].DisplayMessage, "Task being sent a signal")
		want(t, "Signaling Details.signal", events[i].Details["signal"], "SIGHUP")
	})

	f.check("SignalRefusals", func(t *testing.T) {
		err := c.api.Allocations().Signal(alloc, nil, taskName, "SIGFOO")
		wantErrorPrefix(t, c, err, http.StatusInternalServerError, `failed to parse signal: invalid signal "SIGFOO" - valid signals are ["SIGABRT" "SIGALRM"`)
		err = c.api.Allocations().Signal(alloc, nil, "nope", "SIGHUP")
		wantError(t, c, err, http.StatusInternalServerError, "Task not found")
		// The Nomad CLI's default signal: the kernel drops it for a container's process 1 signalled from inside.
		err = c.api.Allocations().Signal(alloc, nil, taskName, "SIGKILL")
		wantErrorPrefix(t, c, err, http.StatusInternalServerError, "SIGKILL cannot be sent to a task on Kubernetes: ")
	})

	f.check("RestartRefusals", func(t *testing.T) {
		err := c.api.Allocations().Restart(alloc, "nope", nil)
		wantError(t, c, err, http.StatusInternalServerError, "Could not find task runner for task: nope")
		missing := *alloc
		missing.ID = "00000000-0000-0000-0000-000000000000"
		err = c.api.Allocations().Restart(&missing, taskName, nil)
		wantError(t, c, err, http.StatusNotFound, `Unknown allocation "00000000-0000-0000-0000-000000000000"`)
	})

	f.check("Unprivileged", func(t *testing.T) {
		if cfg.unprivToken == "" {
			t.Skip("CARAVAN_UNPRIVILEGED_TOKEN is unset")
		}
		nobody := newConn(t, cfg.unprivToken)
		err := nobody.api.Allocations().Signal(alloc, nil, taskName, "SIGHUP")
		if err == nil || !strings.Contains(err.Error(), api.PermissionDeniedErrorContent) {
			t.Errorf("a signal without create pods/exec: got %v, want 403 %q", err, api.PermissionDeniedErrorContent)
		}
	})
}
