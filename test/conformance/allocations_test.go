package conformance

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/hashicorp/nomad/api"
)

// TestAllocations: reading allocations one by one and as lists, and stopping one, which the
// scheduler replaces under the same name (nomad-semantics §1.7, §3.6).
func TestAllocations(t *testing.T) {
	c := server(t)
	id := uniqueID("alloc")
	f := newFlow(t)
	var d0 *api.Deployment
	var stubs []*api.AllocationListStub

	f.step("RolloutVersion0", func(t *testing.T) {
		d0 = registerAndRoll(t, c, serviceJob(id, imageV0, jobOptions{}))
		stubs = liveAllocs(followJobAllocs(t, c, id, "two running allocations", func(as []*api.AllocationListStub) bool {
			n := 0
			for _, a := range liveAllocs(as) {
				if a.ClientStatus == api.AllocClientStatusRunning {
					n++
				}
			}
			return n == 2
		}))
	})

	f.check("List", func(t *testing.T) {
		all, _, err := c.api.Allocations().List(nil)
		if err != nil {
			t.Fatalf("Allocations().List: %v", err)
		}
		_, ex := strictRead[[]*api.AllocationListStub](t, c, "GET /v1/allocations")
		checkList(t, "GET /v1/allocations", ex)
		for _, s := range stubs {
			if !slices.ContainsFunc(all, func(a *api.AllocationListStub) bool { return a.ID == s.ID }) {
				t.Errorf("GET /v1/allocations does not list %s (%s)", s.ID, s.Name)
			}
		}
		filtered, _, err := c.api.Allocations().List(&api.QueryOptions{Filter: fmt.Sprintf(`JobID == %q`, id)})
		if err != nil {
			t.Fatalf("Allocations().List with a filter: %v", err)
		}
		strictRead[[]*api.AllocationListStub](t, c, "GET /v1/allocations?filter=")
		if n := len(liveAllocs(filtered)); n != 2 {
			t.Errorf("GET /v1/allocations?filter=JobID == %q gives %d live allocations, want 2", id, n)
		}
		for _, a := range filtered {
			if a.JobID != id {
				t.Errorf("the filter JobID == %q let through an allocation of %q", id, a.JobID)
			}
		}
	})

	f.check("Info", func(t *testing.T) {
		for _, s := range stubs {
			a, qm, err := c.api.Allocations().Info(s.ID, nil)
			if err != nil {
				t.Fatalf("Allocations().Info(%s): %v", s.ID, err)
			}
			_, ex := strictRead[api.Allocation](t, c, "GET /v1/allocation/:id")
			what := "allocation " + s.Name
			checkAlloc(t, what, a, id)
			if n, _ := headerIndex(ex); n != a.ModifyIndex {
				t.Errorf("%s: X-Nomad-Index = %d, want its ModifyIndex %d", what, n, a.ModifyIndex)
			}
			if qm.LastIndex == 0 {
				t.Errorf("%s: QueryMeta.LastIndex is 0", what)
			}
			// The list stub and the allocation agree.
			want(t, what+" Name", a.Name, s.Name)
			want(t, what+" ClientStatus", a.ClientStatus, s.ClientStatus)
			want(t, what+" NodeID", a.NodeID, s.NodeID)
			want(t, what+" CreateIndex", a.CreateIndex, s.CreateIndex)
			want(t, what+" DeploymentID", a.DeploymentID, d0.ID)
			if !healthy(a.DeploymentStatus) {
				t.Errorf("%s: DeploymentStatus %s, want Healthy true after a successful deployment", what, describe(a.DeploymentStatus))
			}
			if a.Job != nil {
				wantPtr(t, what+" Job.Version", a.Job.Version, uint64(0))
				want(t, what+" image", jobImage(a.Job), imageV0)
			}
			ts, ok := a.TaskStates[taskName]
			if !ok || ts == nil {
				t.Errorf("%s: TaskStates has no %q: %s", what, taskName, describe(a.TaskStates))
			} else {
				want(t, what+" TaskStates.app.State", ts.State, "running")
				if ts.StartedAt.IsZero() {
					t.Errorf("%s: TaskStates.app.StartedAt is the zero time for a running task", what)
				}
			}
		}
	})

	f.check("Stop", func(t *testing.T) {
		victim := stubs[0]
		full, _, err := c.api.Allocations().Info(victim.ID, nil)
		if err != nil {
			t.Fatalf("Allocations().Info: %v", err)
		}
		resp, err := c.api.Allocations().Stop(full, nil)
		if err != nil {
			t.Fatalf("Allocations().Stop(%s): %v", victim.ID, err)
		}
		strictWrite[api.AllocStopResponse](t, c, "POST /v1/allocation/:id/stop")
		if resp.EvalID == "" {
			t.Errorf("EvalID is empty (stopping an allocation creates an evaluation)")
		}
		if resp.LastIndex == 0 {
			t.Errorf("X-Nomad-Index is missing or 0")
		}
		// The scheduler places a replacement with the same name (§3.6).
		allocs := followJobAllocs(t, c, id, "a replacement for "+victim.Name, func(as []*api.AllocationListStub) bool {
			return slices.ContainsFunc(liveAllocs(as), func(a *api.AllocationListStub) bool {
				return a.Name == victim.Name && a.ID != victim.ID && a.ClientStatus == api.AllocClientStatusRunning
			})
		})
		if n := len(liveAllocs(allocs)); n != 2 {
			t.Errorf("%d live allocations after the replacement, want 2", n)
		}
		// The stopped allocation is gone or no longer desired.
		old, _, err := c.api.Allocations().Info(victim.ID, nil)
		switch {
		case isStatus(err, http.StatusNotFound):
			wantError(t, c, err, http.StatusNotFound, "alloc not found")
		case err != nil:
			t.Fatalf("Allocations().Info(stopped): %v", err)
		default:
			strictRead[api.Allocation](t, c, "GET /v1/allocation/:id (stopped)")
			if old.DesiredStatus == api.AllocDesiredStatusRun && !old.ClientTerminalStatus() {
				t.Errorf("the stopped allocation is still DesiredStatus %q, ClientStatus %q", old.DesiredStatus, old.ClientStatus)
			}
		}
	})
}
