package conformance

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/nomad/api"
)

// TestDeployments: a canary rollout followed with blocking queries, as `nomad job run` and
// `nomad deployment status -monitor` do: version 0 rolls out, version 1 places one canary and
// waits for promotion, a promotion wakes a blocked query, and the rollout finishes
// (nomad-semantics §2.2-§2.5, §2.10, §3.1 blocking queries, §3.5).
func TestDeployments(t *testing.T) {
	c := server(t)
	id := uniqueID("canary")
	f := newFlow(t)
	var d0, d1 *api.Deployment
	var canaryID string
	promoted := false

	f.step("RolloutVersion0", func(t *testing.T) {
		d0 = registerAndRoll(t, c, serviceJob(id, imageV0, jobOptions{}))
		checkDeployment(t, "deployment v0", d0, id)
	})

	f.step("CanaryPlaced", func(t *testing.T) {
		register(t, c, serviceJob(id, imageV1, jobOptions{}))
		d := deploymentOf(t, c, id, 1)
		d1 = followDeployment(t, c, d.ID, "one healthy canary", func(d *api.Deployment) bool {
			g := d.TaskGroups[groupName]
			return terminalDeployment(d) || (g != nil && len(g.PlacedCanaries) == 1 && g.HealthyAllocs >= 1)
		})
		checkDeployment(t, "deployment v1", d1, id)
		if d1.ID == d0.ID {
			t.Fatalf("version 1 reuses deployment %s of version 0", d0.ID)
		}
		if d1.Status != api.DeploymentStatusRunning {
			t.Fatalf("version 1's deployment is %q (%s), want running with its canary", d1.Status, d1.StatusDescription)
		}
		want(t, "StatusDescription", d1.StatusDescription, "Deployment is running but requires manual promotion")
		want(t, "JobVersion", d1.JobVersion, uint64(1))
		g := group(t, d1)
		want(t, "TaskGroups.web.DesiredCanaries", g.DesiredCanaries, 1)
		want(t, "TaskGroups.web.DesiredTotal", g.DesiredTotal, 2)
		want(t, "TaskGroups.web.Promoted", g.Promoted, false)
		if g.RequireProgressBy.IsZero() {
			t.Errorf("TaskGroups.web.RequireProgressBy is the zero time after a placement (§1.6)")
		}
		if d1.CreateIndex <= d0.CreateIndex {
			t.Errorf("CreateIndex %d of the newer deployment is not above %d", d1.CreateIndex, d0.CreateIndex)
		}
		if len(g.PlacedCanaries) != 1 {
			t.Fatalf("TaskGroups.web.PlacedCanaries = %q, want one canary", g.PlacedCanaries)
		}
		canaryID = g.PlacedCanaries[0]
		j, _, err := c.api.Jobs().Info(id, nil)
		if err != nil {
			t.Fatalf("Jobs().Info: %v", err)
		}
		wantPtr(t, "job.Version", j.Version, uint64(1))
		wantPtr(t, "job.Stable", j.Stable, false)
		want(t, "JobSpecModifyIndex", d1.JobSpecModifyIndex, val(j.JobModifyIndex))
	})

	f.check("CanaryAllocation", func(t *testing.T) {
		// Caravan records an allocation's health on its Pod a moment after the deployment counts
		// it (the order that survives a controller crash; docs/nomad-api.md): follow the
		// allocation with blocking queries until its health is there, as a Nomad client would.
		a := follow(t, c, "the canary's deployment health", 15*time.Second, func(q *api.QueryOptions) (*api.Allocation, *api.QueryMeta, error) {
			return c.api.Allocations().Info(canaryID, q)
		}, func(a *api.Allocation) bool { return a.DeploymentStatus != nil && a.DeploymentStatus.Healthy != nil })
		checkAlloc(t, "canary", a, id)
		want(t, "canary.DeploymentID", a.DeploymentID, d1.ID)
		want(t, "canary.Name", a.Name, id+".web[0]") // canaries take the lowest index being replaced (§2.3 rule 3)
		if a.DeploymentStatus == nil {
			t.Fatalf("canary.DeploymentStatus is null")
		}
		want(t, "canary.DeploymentStatus.Canary", a.DeploymentStatus.Canary, true)
		want(t, "canary.DeploymentStatus.Healthy", healthy(a.DeploymentStatus), true)
		if a.DeploymentStatus.Timestamp.IsZero() {
			t.Errorf("canary.DeploymentStatus.Timestamp is the zero time though health is set")
		}
		if a.Job != nil {
			wantPtr(t, "canary.Job.Version", a.Job.Version, uint64(1))
			want(t, "canary image", jobImage(a.Job), imageV1)
		}
	})

	f.check("OldAllocationsUntouched", func(t *testing.T) {
		// While a canary waits for promotion the old allocations keep running (§2.3 rule 4).
		allocs, _, err := c.api.Jobs().Allocations(id, false, nil)
		if err != nil {
			t.Fatalf("Jobs().Allocations: %v", err)
		}
		strictRead[[]*api.AllocationListStub](t, c, "GET /v1/job/:id/allocations")
		var versions []uint64
		for _, a := range liveAllocs(allocs) {
			checkAllocStub(t, "alloc "+a.ID, a, id)
			versions = append(versions, a.JobVersion)
		}
		slices.Sort(versions)
		want(t, "versions of the live allocations", fmt.Sprint(versions), "[0 0 1]")
	})

	f.check("DeploymentAllocations", func(t *testing.T) {
		allocs, _, err := c.api.Deployments().Allocations(d1.ID, nil)
		if err != nil {
			t.Fatalf("Deployments().Allocations: %v", err)
		}
		_, ex := strictRead[[]*api.AllocationListStub](t, c, "GET /v1/deployment/allocations/:id")
		checkList(t, "GET /v1/deployment/allocations/:id", ex)
		if len(allocs) != 1 || allocs[0].ID != canaryID {
			t.Errorf("the deployment's allocations are %s, want just the canary %s", describe(allocs), canaryID)
		}
	})

	f.check("BlockingQueryTimesOut", func(t *testing.T) {
		// Nothing changes while the canary waits: a blocking query at the current index must
		// answer after the wait (plus at most wait/16 of jitter), with the same index.
		d, qm, err := c.api.Deployments().Info(d1.ID, nil)
		if err != nil {
			t.Fatalf("Deployments().Info: %v", err)
		}
		_, ex := strictRead[*api.Deployment](t, c, "GET /v1/deployment/:id")
		if n, _ := headerIndex(ex); n != d.ModifyIndex {
			t.Errorf("X-Nomad-Index = %d, want the deployment's ModifyIndex %d", n, d.ModifyIndex)
		}
		const wait = 2 * time.Second
		start := time.Now()
		d2, qm2, err := c.api.Deployments().Info(d1.ID, &api.QueryOptions{WaitIndex: qm.LastIndex, WaitTime: wait})
		elapsed := time.Since(start)
		if err != nil {
			t.Fatalf("blocking Deployments().Info: %v", err)
		}
		strictRead[*api.Deployment](t, c, "GET /v1/deployment/:id?index=&wait=")
		if qm2.LastIndex != qm.LastIndex {
			t.Logf("the deployment changed meanwhile (index %d → %d); the timing is not checked", qm.LastIndex, qm2.LastIndex)
			return
		}
		if elapsed < wait*9/10 || elapsed > wait+wait/16+3*time.Second {
			t.Errorf("blocking query with wait=%s answered after %s; want about %s", wait, elapsed.Round(time.Millisecond), wait)
		}
		want(t, "ID", d2.ID, d1.ID)
	})

	// A check, not a step: if only the wake-up is wrong, the rollout can still finish.
	f.check("PromoteWakesBlockingQuery", func(t *testing.T) {
		_, qm, err := c.api.Deployments().Info(d1.ID, nil)
		if err != nil {
			t.Fatalf("Deployments().Info: %v", err)
		}
		// Block on another connection, as a second Nomad client watching the deployment would.
		watcher := newConn(t, cfg.token)
		type answer struct {
			d       *api.Deployment
			index   uint64
			elapsed time.Duration
			err     error
		}
		woke := make(chan answer, 1)
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		go func() {
			start := time.Now()
			d, qm, err := watcher.api.Deployments().Info(d1.ID, (&api.QueryOptions{WaitIndex: qm.LastIndex, WaitTime: 60 * time.Second}).WithContext(ctx))
			a := answer{d: d, err: err, elapsed: time.Since(start)}
			if qm != nil {
				a.index = qm.LastIndex
			}
			woke <- a
		}()
		time.Sleep(time.Second)

		resp, wm, err := c.api.Deployments().PromoteAll(d1.ID, nil)
		if err != nil {
			t.Fatalf("Deployments().PromoteAll: %v", err)
		}
		promoted = true
		strictWrite[api.DeploymentUpdateResponse](t, c, "POST /v1/deployment/promote/:id")
		if resp.EvalID == "" {
			t.Errorf("EvalID is empty (a promotion creates an evaluation)")
		}
		if resp.DeploymentModifyIndex == 0 || wm.LastIndex == 0 {
			t.Errorf("DeploymentModifyIndex %d, X-Nomad-Index %d: neither may be 0", resp.DeploymentModifyIndex, wm.LastIndex)
		}
		if resp.RevertedJobVersion != nil {
			t.Errorf("RevertedJobVersion = %d, want null", *resp.RevertedJobVersion)
		}
		// Nomad answers once the promotion is applied: a read right after shows it (§2.4 rule 4).
		if g := group(t, readNow(t, c, d1.ID)); !g.Promoted {
			t.Errorf("right after PromoteAll TaskGroups.web.Promoted is false")
		}

		select {
		case a := <-woke:
			if a.err != nil {
				t.Fatalf("the blocked query failed: %v", a.err)
			}
			strictRead[*api.Deployment](t, watcher, "blocked GET /v1/deployment/:id")
			if a.index <= qm.LastIndex {
				t.Errorf("the blocked query answered after %s with index %d, not above %d", a.elapsed.Round(time.Millisecond), a.index, qm.LastIndex)
			}
			if a.elapsed > 30*time.Second {
				t.Errorf("the blocked query woke %s after it was sent; a change must wake it at once", a.elapsed.Round(time.Millisecond))
			}
		case <-time.After(40 * time.Second):
			t.Errorf("a query blocked on deployment %s at index %d did not wake within 40s of the promotion", d1.ID, qm.LastIndex)
		}
	})

	f.step("RolloutFinishes", func(t *testing.T) {
		if !promoted {
			t.Fatalf("the promotion in PromoteWakesBlockingQuery failed, so the rollout cannot finish")
		}
		d := untilSuccessful(t, c, d1.ID)
		checkDeployment(t, "deployment v1", d, id)
		g := group(t, d)
		want(t, "TaskGroups.web.Promoted", g.Promoted, true)
		if g.HealthyAllocs < 2 {
			t.Errorf("TaskGroups.web.HealthyAllocs = %d, want at least DesiredTotal 2", g.HealthyAllocs)
		}
		allocs := followJobAllocs(t, c, id, "two live allocations of version 1", func(as []*api.AllocationListStub) bool {
			live := liveAllocs(as)
			return len(live) == 2 && live[0].JobVersion == 1 && live[1].JobVersion == 1
		})
		for _, a := range liveAllocs(allocs) {
			checkAllocStub(t, "alloc "+a.ID, a, id)
		}
		// A promoted canary stops being a canary (§4.18).
		a, _, err := c.api.Allocations().Info(canaryID, nil)
		if err != nil {
			t.Fatalf("Allocations().Info(canary): %v", err)
		}
		strictRead[api.Allocation](t, c, "GET /v1/allocation/:id")
		if a.DeploymentStatus == nil || a.DeploymentStatus.Canary {
			t.Errorf("the promoted canary's DeploymentStatus is %s, want Canary false", describe(a.DeploymentStatus))
		}
		followJob(t, c, id, "version 1 stable", func(j *api.Job) bool { return val(j.Version) == 1 && val(j.Stable) })
	})

	f.check("ListDeployments", func(t *testing.T) {
		list, _, err := c.api.Jobs().Deployments(id, false, nil)
		if err != nil {
			t.Fatalf("Jobs().Deployments: %v", err)
		}
		strictRead[[]*api.Deployment](t, c, "GET /v1/job/:id/deployments")
		if len(list) != 2 || list[0].ID != d1.ID || list[1].ID != d0.ID {
			t.Errorf("the job's deployments, newest first, are %s; want %s then %s", describe(list), d1.ID, d0.ID)
		}
		for _, d := range list {
			checkDeployment(t, "deployment "+d.ID, d, id)
		}
		latest, _, err := c.api.Jobs().LatestDeployment(id, nil)
		if err != nil {
			t.Fatalf("Jobs().LatestDeployment: %v", err)
		}
		strictRead[*api.Deployment](t, c, "GET /v1/job/:id/deployment")
		if latest == nil || latest.ID != d1.ID {
			t.Errorf("latest deployment %s, want %s", describe(latest), d1.ID)
		}

		all, _, err := c.api.Deployments().List(nil)
		if err != nil {
			t.Fatalf("Deployments().List: %v", err)
		}
		_, ex := strictRead[[]*api.Deployment](t, c, "GET /v1/deployments")
		checkList(t, "GET /v1/deployments", ex)
		for _, want := range []string{d0.ID, d1.ID} {
			if !slices.ContainsFunc(all, func(d *api.Deployment) bool { return d.ID == want }) {
				t.Errorf("GET /v1/deployments does not list %s", want)
			}
		}
		filtered, _, err := c.api.Deployments().List(&api.QueryOptions{Filter: fmt.Sprintf(`JobID == %q`, id)})
		if err != nil {
			t.Fatalf("Deployments().List with a filter: %v", err)
		}
		strictRead[[]*api.Deployment](t, c, "GET /v1/deployments?filter=")
		if len(filtered) != 2 {
			t.Errorf("GET /v1/deployments?filter=JobID == %q listed %d deployments, want 2", id, len(filtered))
		}
	})

	f.check("VersionsStable", func(t *testing.T) {
		versions, _, _, err := c.api.Jobs().Versions(id, false, nil)
		if err != nil {
			t.Fatalf("Jobs().Versions: %v", err)
		}
		strictRead[api.JobVersionsResponse](t, c, "GET /v1/job/:id/versions")
		if len(versions) != 2 {
			t.Fatalf("%d versions, want 2", len(versions))
		}
		for i, v := range versions {
			checkJob(t, fmt.Sprintf("versions[%d]", i), v, id)
			wantPtr(t, fmt.Sprintf("versions[%d].Version", i), v.Version, uint64(1-i))
			wantPtr(t, fmt.Sprintf("versions[%d].Stable", i), v.Stable, true)
		}
	})
}
