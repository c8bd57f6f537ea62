package conformance

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/hashicorp/nomad/api"
)

// TestDeploymentOperations: the operator's writes on a deployment, on a job with
// health_check "manual" (only the API makes allocations healthy, so every step is
// deterministic) and auto_revert: allocation health, promotion refused while the canary is
// unhealthy, pause, resume, promotion of a named group, fail with auto-revert, and the
// refusals on a terminal deployment (nomad-semantics §2.4, §2.9, §2.11-§2.13, §3.5).
// Nomad answers each operation once it is applied: every one is read back right after, with
// no blocking query or sleep in between, as `nomad deployment pause` followed by
// `nomad deployment status` reads it.
func TestDeploymentOperations(t *testing.T) {
	c := server(t)
	id := uniqueID("ops")
	opts := jobOptions{healthCheck: "manual", autoRevert: true}
	f := newFlow(t)
	var d0, d1, d2 *api.Deployment
	var canaryID string

	f.step("ManualHealthWaits", func(t *testing.T) {
		register(t, c, serviceJob(id, imageV0, opts))
		d := deploymentOf(t, c, id, 0)
		d0 = followDeployment(t, c, d.ID, "both allocations placed", func(d *api.Deployment) bool {
			g := d.TaskGroups[groupName]
			return terminalDeployment(d) || (g != nil && g.PlacedAllocs == 2)
		})
		checkDeployment(t, "deployment v0", d0, id)
		if d0.Status != api.DeploymentStatusRunning {
			t.Fatalf("version 0's deployment is %q (%s), want running until the API sets health", d0.Status, d0.StatusDescription)
		}
		// With manual health nothing but the API makes an allocation healthy (§2.7 rule 1).
		time.Sleep(3 * time.Second)
		d, _, err := c.api.Deployments().Info(d0.ID, nil)
		if err != nil {
			t.Fatalf("Deployments().Info: %v", err)
		}
		want(t, "TaskGroups.web.HealthyAllocs with manual health", group(t, d).HealthyAllocs, 0)
	})

	f.step("SetAllocHealth", func(t *testing.T) {
		allocs, _, err := c.api.Deployments().Allocations(d0.ID, nil)
		if err != nil {
			t.Fatalf("Deployments().Allocations: %v", err)
		}
		strictRead[[]*api.AllocationListStub](t, c, "GET /v1/deployment/allocations/:id")
		var ids []string
		for _, a := range liveAllocs(allocs) {
			ids = append(ids, a.ID)
		}
		if len(ids) != 2 {
			t.Fatalf("the deployment has %d live allocations, want 2: %s", len(ids), describe(allocs))
		}
		resp, wm, err := c.api.Deployments().SetAllocHealth(d0.ID, ids, nil, nil)
		if err != nil {
			t.Fatalf("Deployments().SetAllocHealth(healthy %v): %v", ids, err)
		}
		strictWrite[api.DeploymentUpdateResponse](t, c, "POST /v1/deployment/allocation-health/:id")
		if resp.EvalID == "" || resp.DeploymentModifyIndex == 0 || wm.LastIndex == 0 {
			t.Errorf("EvalID %q, DeploymentModifyIndex %d, X-Nomad-Index %d: none may be empty", resp.EvalID, resp.DeploymentModifyIndex, wm.LastIndex)
		}
		// Applied when the call returns (§2.13 rule 3): the allocations' health and the counters.
		want(t, "TaskGroups.web.HealthyAllocs right after SetAllocHealth", group(t, readNow(t, c, d0.ID)).HealthyAllocs, 2)
		for _, aid := range ids {
			wantAllocHealth(t, c, aid, true)
		}
		d := untilSuccessful(t, c, d0.ID)
		want(t, "TaskGroups.web.HealthyAllocs", group(t, d).HealthyAllocs, 2)
	})

	f.step("CanaryAwaitsHealth", func(t *testing.T) {
		register(t, c, serviceJob(id, imageV1, opts))
		d := deploymentOf(t, c, id, 1)
		d1 = followDeployment(t, c, d.ID, "canary placed", func(d *api.Deployment) bool {
			g := d.TaskGroups[groupName]
			return terminalDeployment(d) || (g != nil && len(g.PlacedCanaries) == 1)
		})
		checkDeployment(t, "deployment v1", d1, id)
		g := group(t, d1)
		if d1.Status != api.DeploymentStatusRunning {
			t.Fatalf("version 1's deployment is %q (%s), want running with its canary", d1.Status, d1.StatusDescription)
		}
		want(t, "StatusDescription", d1.StatusDescription, "Deployment is running but requires manual promotion")
		want(t, "TaskGroups.web.HealthyAllocs", g.HealthyAllocs, 0)
		if len(g.PlacedCanaries) != 1 {
			t.Fatalf("PlacedCanaries = %q, want one", g.PlacedCanaries)
		}
		canaryID = g.PlacedCanaries[0]
	})

	f.check("PromoteUnhealthyCanaryRefused", func(t *testing.T) {
		// Nomad refuses, changes nothing, and says why in a multierror (§2.4 rule 3, §4.13).
		_, _, err := c.api.Deployments().PromoteAll(d1.ID, nil)
		wantError(t, c, err, http.StatusInternalServerError, "1 error occurred:\n\t* Task group \"web\" has 0/1 healthy allocations\n\n")
		d, _, err := c.api.Deployments().Info(d1.ID, nil)
		if err != nil {
			t.Fatalf("Deployments().Info: %v", err)
		}
		want(t, "Status", d.Status, api.DeploymentStatusRunning)
		want(t, "TaskGroups.web.Promoted", group(t, d).Promoted, false)
	})

	f.check("Pause", func(t *testing.T) {
		resp, wm, err := c.api.Deployments().Pause(d1.ID, true, nil)
		if err != nil {
			t.Fatalf("Deployments().Pause(true): %v", err)
		}
		strictWrite[api.DeploymentUpdateResponse](t, c, "POST /v1/deployment/pause/:id")
		if resp.DeploymentModifyIndex == 0 || wm.LastIndex == 0 {
			t.Errorf("DeploymentModifyIndex %d, X-Nomad-Index %d: neither may be 0", resp.DeploymentModifyIndex, wm.LastIndex)
		}
		if resp.EvalID != "" || resp.EvalCreateIndex != 0 {
			t.Errorf("EvalID %q, EvalCreateIndex %d: pausing creates no evaluation (§3.5)", resp.EvalID, resp.EvalCreateIndex)
		}
		d := readNow(t, c, d1.ID)
		want(t, "Status right after Pause", d.Status, api.DeploymentStatusPaused)
		want(t, "StatusDescription right after Pause", d.StatusDescription, "Deployment is paused")
		checkTransitionIndex(t, c, "Pause", d1.ID, resp, wm, func(d *api.Deployment) bool { return d.Status == api.DeploymentStatusPaused })
	})

	f.check("Resume", func(t *testing.T) {
		resp, wm, err := c.api.Deployments().Pause(d1.ID, false, nil)
		if err != nil {
			t.Fatalf("Deployments().Pause(false): %v", err)
		}
		strictWrite[api.DeploymentUpdateResponse](t, c, "POST /v1/deployment/pause/:id (resume)")
		if resp.EvalID == "" {
			t.Errorf("EvalID is empty (resuming creates an evaluation)")
		}
		d := readNow(t, c, d1.ID)
		want(t, "Status right after resume", d.Status, api.DeploymentStatusRunning)
		// Nomad's quirk: "running" even though the canary still waits for promotion (§2.11, §4.31).
		want(t, "StatusDescription right after resume", d.StatusDescription, "Deployment is running")
		checkTransitionIndex(t, c, "resume", d1.ID, resp, wm, func(d *api.Deployment) bool { return d.Status == api.DeploymentStatusRunning })
	})

	f.step("CanaryMarkedHealthy", func(t *testing.T) {
		if _, _, err := c.api.Deployments().SetAllocHealth(d1.ID, []string{canaryID}, nil, nil); err != nil {
			t.Fatalf("Deployments().SetAllocHealth(canary healthy): %v", err)
		}
		strictWrite[api.DeploymentUpdateResponse](t, c, "POST /v1/deployment/allocation-health/:id")
		if g := group(t, readNow(t, c, d1.ID)); g.HealthyAllocs != 1 {
			t.Fatalf("right after SetAllocHealth the deployment counts %d healthy allocations, want the canary", g.HealthyAllocs)
		}
		wantAllocHealth(t, c, canaryID, true)
	})

	f.check("RefusedPromotionDidNotLinger", func(t *testing.T) {
		// The refused promotion must not have been kept as an intent that the canary's health
		// now fulfils: in Nomad a refused promotion leaves no trace.
		time.Sleep(3 * time.Second)
		d, _, err := c.api.Deployments().Info(d1.ID, nil)
		if err != nil {
			t.Fatalf("Deployments().Info: %v", err)
		}
		want(t, "TaskGroups.web.Promoted", group(t, d).Promoted, false)
		want(t, "Status", d.Status, api.DeploymentStatusRunning)
	})

	f.step("PromoteGroups", func(t *testing.T) {
		resp, wm, err := c.api.Deployments().PromoteGroups(d1.ID, []string{groupName}, nil)
		if err != nil {
			t.Fatalf("Deployments().PromoteGroups(web): %v", err)
		}
		strictWrite[api.DeploymentUpdateResponse](t, c, "POST /v1/deployment/promote/:id (groups)")
		if resp.EvalID == "" {
			t.Errorf("EvalID is empty (a promotion creates an evaluation)")
		}
		d := readNow(t, c, d1.ID)
		if !group(t, d).Promoted {
			t.Fatalf("right after PromoteGroups group web is not promoted: deployment %q (%s)", d.Status, d.StatusDescription)
		}
		checkTransitionIndex(t, c, "PromoteGroups", d1.ID, resp, wm, func(d *api.Deployment) bool {
			return d.TaskGroups[groupName] != nil && d.TaskGroups[groupName].Promoted
		})
		// The rest of the rollout needs health from the API too.
		d = setHealthyUntilDone(t, c, d1.ID)
		if d.Status != api.DeploymentStatusSuccessful {
			t.Fatalf("version 1's deployment ended %q (%s), want successful", d.Status, d.StatusDescription)
		}
		followJob(t, c, id, "version 1 stable", func(j *api.Job) bool { return val(j.Version) == 1 && val(j.Stable) })
	})

	var failResp *api.DeploymentUpdateResponse
	f.step("Fail", func(t *testing.T) {
		register(t, c, serviceJob(id, imageV2, opts))
		d := deploymentOf(t, c, id, 2)
		d2 = followDeployment(t, c, d.ID, "canary placed", func(d *api.Deployment) bool {
			g := d.TaskGroups[groupName]
			return terminalDeployment(d) || (g != nil && len(g.PlacedCanaries) == 1)
		})
		if d2.Status != api.DeploymentStatusRunning {
			t.Fatalf("version 2's deployment is %q (%s) before the fail, want running", d2.Status, d2.StatusDescription)
		}
		resp, wm, err := c.api.Deployments().Fail(d2.ID, nil)
		if err != nil {
			t.Fatalf("Deployments().Fail: %v", err)
		}
		failResp = resp
		strictWrite[api.DeploymentUpdateResponse](t, c, "POST /v1/deployment/fail/:id")
		if resp.EvalID == "" {
			t.Errorf("EvalID is empty (failing a deployment creates an evaluation)")
		}
		d = readNow(t, c, d2.ID)
		if d.Status != api.DeploymentStatusFailed {
			t.Fatalf("right after the fail the deployment is %q (%s), want failed", d.Status, d.StatusDescription)
		}
		want(t, "StatusDescription right after the fail", d.StatusDescription, "Deployment marked as failed - rolling back to job version 1")
		checkTransitionIndex(t, c, "Fail", d2.ID, resp, wm, func(d *api.Deployment) bool { return d.Status == api.DeploymentStatusFailed })
		// Nomad registers the revert in the same write as the failure (§2.9 rule 5).
		j, _, err := c.api.Jobs().Info(id, nil)
		if err != nil {
			t.Fatalf("Jobs().Info: %v", err)
		}
		wantPtr(t, "job Version right after the fail (the revert to version 1)", j.Version, uint64(3))
	})

	f.check("AutoRevert", func(t *testing.T) {
		// auto_revert: back to the latest stable version, 1. The response names the target, the
		// description says so, and version 3 runs version 1's spec (§2.9, §2.12).
		if failResp.RevertedJobVersion == nil || *failResp.RevertedJobVersion != 1 {
			t.Errorf("RevertedJobVersion = %s, want 1", describe(failResp.RevertedJobVersion))
		}
		d, _, err := c.api.Deployments().Info(d2.ID, nil)
		if err != nil {
			t.Fatalf("Deployments().Info: %v", err)
		}
		want(t, "StatusDescription", d.StatusDescription, "Deployment marked as failed - rolling back to job version 1")
		j := followJob(t, c, id, "the revert to version 1 recorded as version 3", func(j *api.Job) bool { return val(j.Version) >= 3 })
		wantPtr(t, "Version", j.Version, uint64(3))
		want(t, "image of the reverted version", jobImage(j), imageV1)
	})

	f.check("TerminalDeploymentRefusesWrites", func(t *testing.T) {
		_, _, err := c.api.Deployments().Pause(d2.ID, true, nil)
		wantError(t, c, err, http.StatusInternalServerError, "can't pause terminal deployment")
		_, _, err = c.api.Deployments().Pause(d2.ID, false, nil)
		wantError(t, c, err, http.StatusInternalServerError, "can't resume terminal deployment")
		_, _, err = c.api.Deployments().PromoteAll(d2.ID, nil)
		wantError(t, c, err, http.StatusInternalServerError, "can't promote terminal deployment")
		_, _, err = c.api.Deployments().Fail(d2.ID, nil)
		wantError(t, c, err, http.StatusInternalServerError, "can't fail terminal deployment")
		g := group(t, d2)
		if len(g.PlacedCanaries) == 1 {
			_, _, err = c.api.Deployments().SetAllocHealth(d2.ID, g.PlacedCanaries, nil, nil)
			wantError(t, c, err, http.StatusInternalServerError, "can't set health of allocations for a terminal deployment")
		}
	})

	f.check("Versions", func(t *testing.T) {
		versions, _, _, err := c.api.Jobs().Versions(id, false, nil)
		if err != nil {
			t.Fatalf("Jobs().Versions: %v", err)
		}
		strictRead[api.JobVersionsResponse](t, c, "GET /v1/job/:id/versions")
		var got []string
		for _, v := range versions {
			got = append(got, fmt.Sprintf("v%d:%s", val(v.Version), jobImage(v)))
		}
		want(t, "versions, newest first", fmt.Sprint(got), fmt.Sprintf("[v3:%s v2:%s v1:%s v0:%s]", imageV1, imageV2, imageV1, imageV0))
	})
}

// readNow reads a deployment once, with no blocking query: what a script that runs
// `nomad deployment status` right after an operation sees.
func readNow(t *testing.T, c *conn, id string) *api.Deployment {
	t.Helper()
	d, _, err := c.api.Deployments().Info(id, nil)
	if err != nil {
		t.Fatalf("Deployments().Info(%s): %v", id, err)
	}
	strictRead[*api.Deployment](t, c, "GET /v1/deployment/:id")
	return d
}

// wantAllocHealth reads an allocation once and checks its DeploymentStatus.Healthy.
func wantAllocHealth(t *testing.T, c *conn, id string, want bool) {
	t.Helper()
	a, _, err := c.api.Allocations().Info(id, nil)
	if err != nil {
		t.Fatalf("Allocations().Info(%s): %v", id, err)
	}
	strictRead[api.Allocation](t, c, "GET /v1/allocation/:id")
	if a.DeploymentStatus == nil || a.DeploymentStatus.Healthy == nil || *a.DeploymentStatus.Healthy != want {
		t.Errorf("right after SetAllocHealth allocation %s has DeploymentStatus %s, want Healthy %t", id, describe(a.DeploymentStatus), want)
	}
}

// checkTransitionIndex: an operation's indexes are those of the change it made, as Nomad's are
// the raft index of its write. X-Nomad-Index is the DeploymentModifyIndex, and a blocking read
// just below it answers at once, with the change.
func checkTransitionIndex(t *testing.T, c *conn, what, id string, resp *api.DeploymentUpdateResponse, wm *api.WriteMeta, shows func(*api.Deployment) bool) {
	t.Helper()
	if wm.LastIndex != resp.DeploymentModifyIndex {
		t.Errorf("%s: X-Nomad-Index %d, DeploymentModifyIndex %d: Nomad answers one index", what, wm.LastIndex, resp.DeploymentModifyIndex)
	}
	start := time.Now()
	d, qm, err := c.api.Deployments().Info(id, &api.QueryOptions{WaitIndex: wm.LastIndex - 1, WaitTime: 5 * time.Second})
	elapsed := time.Since(start)
	if err != nil {
		t.Fatalf("%s: blocking Deployments().Info(index=%d): %v", what, wm.LastIndex-1, err)
	}
	strictRead[*api.Deployment](t, c, "GET /v1/deployment/:id?index=")
	if elapsed > 2*time.Second || qm.LastIndex < wm.LastIndex || !shows(d) {
		t.Errorf("%s: a blocking read at index %d answered after %s with index %d and status %q (%s); want at once, at %d or later, with the change", what, wm.LastIndex-1, elapsed.Round(time.Millisecond), qm.LastIndex, d.Status, d.StatusDescription, wm.LastIndex)
	}
}
