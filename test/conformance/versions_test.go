package conformance

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/hashicorp/nomad/api"
)

// TestJobVersions: the version history, diffs, revert and stability flags
// (nomad-semantics §1.1.1, §3.3 versions/revert/stable).
func TestJobVersions(t *testing.T) {
	c := server(t)
	id := uniqueID("rev")
	f := newFlow(t)
	var d1 *api.Deployment
	var before *api.Job

	f.step("TwoVersions", func(t *testing.T) {
		registerAndRoll(t, c, serviceJob(id, imageV0, jobOptions{}))
		register(t, c, serviceJob(id, imageV1, jobOptions{}))
		d := deploymentOf(t, c, id, 1)
		d1 = followDeployment(t, c, d.ID, "canary placed", func(d *api.Deployment) bool {
			g := d.TaskGroups[groupName]
			return terminalDeployment(d) || (g != nil && len(g.PlacedCanaries) == 1)
		})
		if d1.Status != api.DeploymentStatusRunning {
			t.Fatalf("version 1's deployment is %q (%s), want running with its canary", d1.Status, d1.StatusDescription)
		}
	})

	f.check("VersionsNewestFirst", func(t *testing.T) {
		versions, _, qm, err := c.api.Jobs().Versions(id, false, nil)
		if err != nil {
			t.Fatalf("Jobs().Versions: %v", err)
		}
		resp, _ := strictRead[api.JobVersionsResponse](t, c, "GET /v1/job/:id/versions")
		if len(versions) != 2 {
			t.Fatalf("%d versions, want 2", len(versions))
		}
		for i, v := range versions {
			checkJob(t, fmt.Sprintf("versions[%d]", i), v, id)
		}
		wantPtr(t, "versions[0].Version", versions[0].Version, uint64(1))
		wantPtr(t, "versions[1].Version", versions[1].Version, uint64(0))
		wantPtr(t, "versions[0].Stable", versions[0].Stable, false)
		wantPtr(t, "versions[1].Stable", versions[1].Stable, true)
		want(t, "versions[0] image", jobImage(versions[0]), imageV1)
		want(t, "versions[1] image", jobImage(versions[1]), imageV0)
		if val(versions[0].JobModifyIndex) <= val(versions[1].JobModifyIndex) {
			t.Errorf("JobModifyIndex of version 1 (%d) is not above version 0's (%d)", val(versions[0].JobModifyIndex), val(versions[1].JobModifyIndex))
		}
		if len(resp.Diffs) != 0 {
			t.Errorf("Diffs without ?diffs=true: %s", describe(resp.Diffs))
		}
		if qm.LastIndex < val(versions[0].ModifyIndex) {
			t.Errorf("X-Nomad-Index %d is below the newest version's ModifyIndex %d", qm.LastIndex, val(versions[0].ModifyIndex))
		}
	})

	f.check("VersionsWithDiffs", func(t *testing.T) {
		// Each version diffed against the next older one: N-1 diffs (§3.3).
		_, diffs, _, err := c.api.Jobs().Versions(id, true, nil)
		if err != nil {
			t.Fatalf("Jobs().Versions(diffs=true): %v", err)
		}
		strictRead[api.JobVersionsResponse](t, c, "GET /v1/job/:id/versions?diffs=true")
		if len(diffs) != 1 {
			t.Fatalf("%d diffs for 2 versions, want 1", len(diffs))
		}
		want(t, "Diffs[0].Type", diffs[0].Type, "Edited")
		want(t, "Diffs[0].ID", diffs[0].ID, id)
		if fd := findFieldDiff(diffs[0], "image"); fd == nil {
			t.Errorf("Diffs[0] has no field diff for the image: %s", describe(diffs[0]))
		} else {
			want(t, "image diff Old", fd.Old, imageV0)
			want(t, "image diff New", fd.New, imageV1)
		}
	})

	f.step("Revert", func(t *testing.T) {
		var err error
		before, _, err = c.api.Jobs().Info(id, nil)
		if err != nil {
			t.Fatalf("Jobs().Info: %v", err)
		}
		resp, wm, err := c.api.Jobs().Revert(id, 0, nil, nil, "", "")
		if err != nil {
			t.Fatalf("Jobs().Revert(to 0): %v", err)
		}
		checkRegisterResponse(t, c, "POST /v1/job/:id/revert", resp, wm)
		// A revert registers a copy of version 0 as version 2, not stable (§1.1.1 rule 8).
		j := followJob(t, c, id, "version 2", func(j *api.Job) bool { return val(j.Version) >= 2 })
		checkJob(t, "job", j, id)
		wantPtr(t, "Version", j.Version, uint64(2))
		want(t, "image", jobImage(j), imageV0)
		if val(j.Stable) && !succeeded(t, c, id, 2) {
			t.Errorf("version 2 is Stable right after the revert, with no successful deployment of it: a manual revert clears Stable (§1.1.1 rule 8)")
		}
		if val(j.JobModifyIndex) <= val(before.JobModifyIndex) {
			t.Errorf("JobModifyIndex %d did not grow past %d", val(j.JobModifyIndex), val(before.JobModifyIndex))
		}
		// The canary deployment of version 1 is obsolete now (§2.14 rule 1).
		d := followDeployment(t, c, d1.ID, "version 1's deployment ends", terminalDeployment)
		want(t, "Status", d.Status, api.DeploymentStatusCancelled)
		want(t, "StatusDescription", d.StatusDescription, "Cancelled due to newer version of job")
	})

	f.check("RevertEnforcePriorVersion", func(t *testing.T) {
		_, _, err := c.api.Jobs().Revert(id, 1, new(uint64(7)), nil, "", "")
		wantError(t, c, err, http.StatusInternalServerError, "Current job has version 2; enforcing version 7")
	})

	f.check("RevertToCurrentVersion", func(t *testing.T) {
		_, _, err := c.api.Jobs().Revert(id, 2, nil, nil, "", "")
		wantError(t, c, err, http.StatusInternalServerError, "can't revert to current version")
	})

	f.check("RevertToUnknownVersion", func(t *testing.T) {
		_, _, err := c.api.Jobs().Revert(id, 42, nil, nil, "", "")
		wantError(t, c, err, http.StatusInternalServerError, fmt.Sprintf("job %q in namespace %q at version 42 not found", id, cfg.namespace))
	})

	f.check("RevertUnknownJob", func(t *testing.T) {
		missing := uniqueID("missing")
		_, _, err := c.api.Jobs().Revert(missing, 0, nil, nil, "", "")
		wantError(t, c, err, http.StatusInternalServerError, fmt.Sprintf("job %q not found", missing))
	})

	f.check("StableMarksAVersion", func(t *testing.T) {
		cur, _, err := c.api.Jobs().Info(id, nil)
		if err != nil {
			t.Fatalf("Jobs().Info: %v", err)
		}
		_, wm, err := c.api.Jobs().Stable(id, 1, true, nil)
		if err != nil {
			t.Fatalf("Jobs().Stable(1, true): %v", err)
		}
		strictWrite[api.JobStabilityResponse](t, c, "POST /v1/job/:id/stable")
		if wm.LastIndex == 0 {
			t.Errorf("X-Nomad-Index is missing or 0")
		}
		stable := versionStability(t, c, id)
		want(t, "stable flags", stable[1], true)
		// Only the flag changes: no new version, no spec write (§1.1.1 rule 5).
		j, _, err := c.api.Jobs().Info(id, nil)
		if err != nil {
			t.Fatalf("Jobs().Info: %v", err)
		}
		wantPtr(t, "Version", j.Version, val(cur.Version))
		if val(j.Stable) == val(cur.Stable) {
			wantPtr(t, "JobModifyIndex", j.JobModifyIndex, val(cur.JobModifyIndex))
		} else {
			t.Logf("version %d became stable meanwhile (its deployment succeeded), which moves Caravan's JobModifyIndex; not compared", val(j.Version))
		}
		want(t, "image of the current version", jobImage(j), imageV0)
	})

	f.check("StableUnmarksAVersion", func(t *testing.T) {
		if _, _, err := c.api.Jobs().Stable(id, 1, false, nil); err != nil {
			t.Fatalf("Jobs().Stable(1, false): %v", err)
		}
		strictWrite[api.JobStabilityResponse](t, c, "POST /v1/job/:id/stable")
		want(t, "version 1 stable", versionStability(t, c, id)[1], false)
	})

	f.check("StableUnknownVersion", func(t *testing.T) {
		_, _, err := c.api.Jobs().Stable(id, 42, true, nil)
		wantError(t, c, err, http.StatusInternalServerError, fmt.Sprintf("job %q in namespace %q at version 42 not found", id, cfg.namespace))
	})
}

// versionStability maps each version of the job to its Stable flag.
func versionStability(t *testing.T, c *conn, id string) map[uint64]bool {
	t.Helper()
	versions, _, _, err := c.api.Jobs().Versions(id, false, nil)
	if err != nil {
		t.Fatalf("Jobs().Versions: %v", err)
	}
	strictRead[api.JobVersionsResponse](t, c, "GET /v1/job/:id/versions")
	out := map[uint64]bool{}
	for _, v := range versions {
		out[val(v.Version)] = val(v.Stable)
	}
	return out
}

// succeeded reports whether the job's latest deployment is a successful one of version.
func succeeded(t *testing.T, c *conn, id string, version uint64) bool {
	t.Helper()
	d, _, err := c.api.Jobs().LatestDeployment(id, nil)
	if err != nil {
		t.Fatalf("Jobs().LatestDeployment: %v", err)
	}
	return d != nil && d.JobVersion == version && d.Status == api.DeploymentStatusSuccessful
}
