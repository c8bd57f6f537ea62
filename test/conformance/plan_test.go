package conformance

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/hashicorp/nomad/api"
)

// TestJobPlan: dry-run plans, and the check-and-set register that `nomad job run -check-index`
// does with the plan's JobModifyIndex (nomad-semantics §3.3 plan, §3.4). The check-and-set
// steps use the job's JobModifyIndex, which the plan must echo, so they run without plans too.
func TestJobPlan(t *testing.T) {
	c := server(t)
	id := uniqueID("plan")
	f := newFlow(t)
	var d0 *api.Deployment
	var casIndex uint64

	f.step("RolloutVersion0", func(t *testing.T) {
		d0 = registerAndRoll(t, c, serviceJob(id, imageV0, jobOptions{}))
		// Wait for the Stable flag too: Caravan's JobModifyIndex moves once when it is set
		// (docs/nomad-api.md, "Known differences"), and check-and-set needs a settled index.
		v0 := followJob(t, c, id, "version 0 stable", func(j *api.Job) bool { return val(j.Stable) })
		casIndex = val(v0.JobModifyIndex)
	})

	f.check("PlanUnchanged", func(t *testing.T) {
		p, _, err := c.api.Jobs().Plan(serviceJob(id, imageV0, jobOptions{}), true, nil)
		if err != nil {
			t.Fatalf("Jobs().Plan: %v", err)
		}
		strictWrite[api.JobPlanResponse](t, c, "POST /v1/job/:id/plan")
		want(t, "JobModifyIndex", p.JobModifyIndex, casIndex)
		if p.Diff == nil {
			t.Fatalf("Diff is null though diff=true")
		}
		want(t, "Diff.Type", p.Diff.Type, "None")
		u := planUpdates(t, p)
		want(t, "DesiredTGUpdates.web.Ignore", u.Ignore, uint64(2))
		want(t, "DesiredTGUpdates.web.Place+Canary+DestructiveUpdate", u.Place+u.Canary+u.DestructiveUpdate, uint64(0))
	})

	f.check("PlanDestructiveChange", func(t *testing.T) {
		p, wm, err := c.api.Jobs().Plan(serviceJob(id, imageV1, jobOptions{}), true, nil)
		if err != nil {
			t.Fatalf("Jobs().Plan: %v", err)
		}
		strictWrite[api.JobPlanResponse](t, c, "POST /v1/job/:id/plan")
		if wm.LastIndex == 0 {
			t.Errorf("X-Nomad-Index is missing or 0")
		}
		want(t, "JobModifyIndex", p.JobModifyIndex, casIndex)
		if p.Diff == nil {
			t.Fatalf("Diff is null though diff=true")
		}
		want(t, "Diff.Type", p.Diff.Type, "Edited")
		want(t, "Diff.ID", p.Diff.ID, id)
		if fd := findFieldDiff(p.Diff, "image"); fd == nil {
			t.Errorf("the diff has no field diff for the image: %s", describe(p.Diff))
		} else {
			want(t, "image diff Type", fd.Type, "Edited")
			want(t, "image diff Old", fd.Old, imageV0)
			want(t, "image diff New", fd.New, imageV1)
		}
		// A new image is destructive; with canary 1 the plan places one canary (§2.3).
		want(t, "DesiredTGUpdates.web.Canary", planUpdates(t, p).Canary, uint64(1))

		// A plan is a dry run: no version, no deployment.
		j, _, err := c.api.Jobs().Info(id, nil)
		if err != nil {
			t.Fatalf("Jobs().Info: %v", err)
		}
		wantPtr(t, "Version after the plan", j.Version, uint64(0))
		wantPtr(t, "JobModifyIndex after the plan", j.JobModifyIndex, casIndex)
		latest, _, err := c.api.Jobs().LatestDeployment(id, nil)
		if err != nil {
			t.Fatalf("Jobs().LatestDeployment: %v", err)
		}
		if latest == nil || latest.ID != d0.ID {
			t.Errorf("the latest deployment after a plan is %s, want still %s", describe(latest), d0.ID)
		}
	})

	f.check("PlanNewJob", func(t *testing.T) {
		other := uniqueID("plan")
		p, _, err := c.api.Jobs().Plan(serviceJob(other, imageV0, jobOptions{}), true, nil)
		if err != nil {
			t.Fatalf("Jobs().Plan(new job): %v", err)
		}
		strictWrite[api.JobPlanResponse](t, c, "POST /v1/job/:id/plan (new job)")
		want(t, "JobModifyIndex of a job that does not exist", p.JobModifyIndex, uint64(0))
		if p.Diff == nil {
			t.Fatalf("Diff is null though diff=true")
		}
		want(t, "Diff.Type", p.Diff.Type, "Added")
		want(t, "DesiredTGUpdates.web.Place", planUpdates(t, p).Place, uint64(2))
		_, _, err = c.api.Jobs().Info(other, nil)
		wantError(t, c, err, http.StatusNotFound, "job not found")
	})

	f.step("EnforceRegisterWithCurrentIndex", func(t *testing.T) {
		resp, wm, err := c.api.Jobs().EnforceRegister(serviceJob(id, imageV1, jobOptions{}), casIndex, nil)
		if err != nil {
			t.Fatalf("Jobs().EnforceRegister(index %d, the job's JobModifyIndex): %v", casIndex, err)
		}
		checkRegisterResponse(t, c, "PUT /v1/jobs (EnforceIndex)", resp, wm)
		j, _, err := c.api.Jobs().Info(id, nil)
		if err != nil {
			t.Fatalf("Jobs().Info: %v", err)
		}
		wantPtr(t, "Version", j.Version, uint64(1))
	})

	f.check("StaleIndexRefused", func(t *testing.T) {
		j, _, err := c.api.Jobs().Info(id, nil)
		if err != nil {
			t.Fatalf("Jobs().Info: %v", err)
		}
		_, _, err = c.api.Jobs().EnforceRegister(serviceJob(id, imageV2, jobOptions{}), casIndex, nil)
		wantError(t, c, err, http.StatusInternalServerError,
			fmt.Sprintf("%s %d: job exists with conflicting job modify index: %d", api.RegisterEnforceIndexErrPrefix, casIndex, val(j.JobModifyIndex)))
		after, _, err := c.api.Jobs().Info(id, nil)
		if err != nil {
			t.Fatalf("Jobs().Info: %v", err)
		}
		wantPtr(t, "Version after the refused register", after.Version, val(j.Version))
	})

	f.check("CreateOnlyOnExistingJobRefused", func(t *testing.T) {
		_, _, err := c.api.Jobs().EnforceRegister(serviceJob(id, imageV2, jobOptions{}), 0, nil)
		wantError(t, c, err, http.StatusInternalServerError, api.RegisterEnforceIndexErrPrefix+" 0: job already exists")
	})

	f.check("EnforceIndexOnMissingJobRefused", func(t *testing.T) {
		other := uniqueID("plan")
		cleanupJob(c, other)
		_, _, err := c.api.Jobs().EnforceRegister(serviceJob(other, imageV0, jobOptions{}), 5, nil)
		wantError(t, c, err, http.StatusInternalServerError, api.RegisterEnforceIndexErrPrefix+" 5: job does not exist")
		_, _, err = c.api.Jobs().Info(other, nil)
		wantError(t, c, err, http.StatusNotFound, "job not found")
	})

	f.check("CreateOnly", func(t *testing.T) {
		other := uniqueID("plan")
		cleanupJob(c, other)
		resp, wm, err := c.api.Jobs().EnforceRegister(serviceJob(other, imageV0, jobOptions{}), 0, nil)
		if err != nil {
			t.Fatalf("Jobs().EnforceRegister(new job, 0): %v", err)
		}
		checkRegisterResponse(t, c, "PUT /v1/jobs (EnforceIndex 0)", resp, wm)
	})
}

func planUpdates(t *testing.T, p *api.JobPlanResponse) *api.DesiredUpdates {
	t.Helper()
	if p.Annotations == nil || p.Annotations.DesiredTGUpdates[groupName] == nil {
		t.Fatalf("Annotations.DesiredTGUpdates has no %q: %s", groupName, describe(p.Annotations))
	}
	return p.Annotations.DesiredTGUpdates[groupName]
}
