package conformance

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/nomad/api"
)

// TestJobs: register, read, list, summary, allocations and deployments of a job, re-register
// unchanged, stop, run again, purge (nomad-semantics §1.1, §3.3).
func TestJobs(t *testing.T) {
	c := server(t)
	id := uniqueID("jobs")
	job := serviceJob(id, imageV0, jobOptions{})
	f := newFlow(t)
	var v0 *api.Job

	f.step("Register", func(t *testing.T) {
		register(t, c, job)
	})

	f.step("Info", func(t *testing.T) {
		j, qm, err := c.api.Jobs().Info(id, nil)
		if err != nil {
			t.Fatalf("Jobs().Info: %v", err)
		}
		v0 = j
		_, ex := strictRead[api.Job](t, c, "GET /v1/job/:id")
		checkJob(t, "job", j, id)
		wantPtr(t, "job.Version", j.Version, uint64(0))
		wantPtr(t, "job.Stop", j.Stop, false)
		if n, _ := headerIndex(ex); n != val(j.ModifyIndex) {
			t.Errorf("X-Nomad-Index = %d, want the job's ModifyIndex %d (a single object's index is its ModifyIndex)", n, val(j.ModifyIndex))
		}
		if qm.LastIndex == 0 {
			t.Errorf("QueryMeta.LastIndex is 0")
		}
		want(t, "Datacenters", fmt.Sprint(j.Datacenters), "[*]")
		tg := j.TaskGroups[0]
		wantPtr(t, "TaskGroups[0].Count", tg.Count, 2)
		want(t, "image", jobImage(j), imageV0)
		if r := tg.Tasks[0].Resources; r == nil {
			t.Errorf("TaskGroups[0].Tasks[0].Resources is null")
		} else {
			wantPtr(t, "Resources.CPU", r.CPU, 100)
			wantPtr(t, "Resources.MemoryMB", r.MemoryMB, 64)
		}
		// The server canonicalizes: each group carries the full update strategy, durations in ns.
		u := groupUpdate(j)
		if u == nil {
			t.Errorf("TaskGroups[0].Update is null: the server copies the job's update block into each group")
			return
		}
		wantPtr(t, "Update.Canary", u.Canary, 1)
		wantPtr(t, "Update.MaxParallel", u.MaxParallel, 1)
		wantPtr(t, "Update.MinHealthyTime", u.MinHealthyTime, wantMinHealthy)
		wantPtr(t, "Update.HealthyDeadline", u.HealthyDeadline, wantHealthyDeadline)
		wantPtr(t, "Update.ProgressDeadline", u.ProgressDeadline, wantProgressDeadline)
		wantPtr(t, "Update.HealthCheck", u.HealthCheck, "checks")
		wantPtr(t, "Update.AutoRevert", u.AutoRevert, false)
		wantPtr(t, "Update.AutoPromote", u.AutoPromote, false)
	})

	f.check("List", func(t *testing.T) {
		stubs, _, err := c.api.Jobs().List(nil)
		if err != nil {
			t.Fatalf("Jobs().List: %v", err)
		}
		_, ex := strictRead[[]*api.JobListStub](t, c, "GET /v1/jobs")
		checkList(t, "GET /v1/jobs", ex)
		i := slices.IndexFunc(stubs, func(s *api.JobListStub) bool { return s.ID == id })
		if i < 0 {
			t.Fatalf("GET /v1/jobs does not list %s", id)
		}
		s := stubs[i]
		want(t, "stub.Name", s.Name, id)
		want(t, "stub.Namespace", s.Namespace, cfg.namespace)
		want(t, "stub.Type", s.Type, api.JobTypeService)
		oneOf(t, "stub.Status", s.Status, "pending", "running")
		want(t, "stub.Stop", s.Stop, false)
		if s.JobModifyIndex < val(v0.JobModifyIndex) || s.JobModifyIndex > s.ModifyIndex {
			t.Errorf("stub.JobModifyIndex %d is not within the job's JobModifyIndex %d .. stub.ModifyIndex %d", s.JobModifyIndex, val(v0.JobModifyIndex), s.ModifyIndex)
		}
		checkIndexes(t, "stub", s.CreateIndex, s.ModifyIndex)
		checkNanos(t, "stub.SubmitTime", s.SubmitTime)
		if s.JobSummary == nil {
			t.Errorf("stub.JobSummary is null")
		} else if _, ok := s.JobSummary.Summary[groupName]; !ok {
			t.Errorf("stub.JobSummary.Summary has no %q", groupName)
		}

		byPrefix, _, err := c.api.Jobs().PrefixList(id)
		if err != nil {
			t.Fatalf("Jobs().PrefixList: %v", err)
		}
		strictRead[[]*api.JobListStub](t, c, "GET /v1/jobs?prefix=")
		if len(byPrefix) != 1 || byPrefix[0].ID != id {
			t.Errorf("GET /v1/jobs?prefix=%s listed %d jobs, want exactly %s", id, len(byPrefix), id)
		}

		filtered, _, err := c.api.Jobs().List(&api.QueryOptions{Filter: fmt.Sprintf(`ID == %q`, id)})
		if err != nil {
			t.Fatalf("Jobs().List with a filter: %v", err)
		}
		strictRead[[]*api.JobListStub](t, c, "GET /v1/jobs?filter=")
		if len(filtered) != 1 || filtered[0].ID != id {
			t.Errorf("GET /v1/jobs?filter=ID == %q listed %d jobs, want exactly %s", id, len(filtered), id)
		}
	})

	var d0 *api.Deployment
	f.step("FirstDeployment", func(t *testing.T) {
		d := deploymentOf(t, c, id, 0)
		d0 = untilSuccessful(t, c, d.ID)
		checkDeployment(t, "deployment", d0, id)
		want(t, "JobCreateIndex", d0.JobCreateIndex, val(v0.CreateIndex))
		g := group(t, d0)
		// A first registration places every allocation at once and never canaries (§4.9).
		want(t, "TaskGroups.web.DesiredTotal", g.DesiredTotal, 2)
		want(t, "TaskGroups.web.DesiredCanaries", g.DesiredCanaries, 0)
		want(t, "TaskGroups.web.PlacedAllocs", g.PlacedAllocs, 2)
		want(t, "TaskGroups.web.HealthyAllocs", g.HealthyAllocs, 2)
		want(t, "TaskGroups.web.UnhealthyAllocs", g.UnhealthyAllocs, 0)
		want(t, "len(TaskGroups.web.PlacedCanaries)", len(g.PlacedCanaries), 0)

		list, _, err := c.api.Jobs().Deployments(id, false, nil)
		if err != nil {
			t.Fatalf("Jobs().Deployments: %v", err)
		}
		_, ex := strictRead[[]*api.Deployment](t, c, "GET /v1/job/:id/deployments")
		checkList(t, "GET /v1/job/:id/deployments", ex)
		if len(list) != 1 || list[0].ID != d0.ID {
			t.Errorf("GET /v1/job/:id/deployments = %s, want just %s", describe(list), d0.ID)
		}
	})

	f.check("Allocations", func(t *testing.T) {
		allocs := followJobAllocs(t, c, id, "two healthy running allocations", func(as []*api.AllocationListStub) bool {
			n := 0
			for _, a := range liveAllocs(as) {
				if a.ClientStatus == api.AllocClientStatusRunning && healthy(a.DeploymentStatus) {
					n++
				}
			}
			return n == 2
		})
		_, ex := strictRead[[]*api.AllocationListStub](t, c, "GET /v1/job/:id/allocations")
		checkList(t, "GET /v1/job/:id/allocations", ex)
		var names []string
		for _, a := range liveAllocs(allocs) {
			checkAllocStub(t, "alloc "+a.ID, a, id)
			want(t, "alloc.JobVersion", a.JobVersion, uint64(0))
			names = append(names, a.Name)
		}
		slices.Sort(names)
		want(t, "allocation names", fmt.Sprint(names), fmt.Sprintf("[%s.web[0] %s.web[1]]", id, id))
	})

	f.check("Summary", func(t *testing.T) {
		s := follow(t, c, "summary with 2 running", rolloutTimeout, func(q *api.QueryOptions) (*api.JobSummary, *api.QueryMeta, error) {
			return c.api.Jobs().Summary(id, q)
		}, func(s *api.JobSummary) bool { return s.Summary[groupName].Running == 2 })
		want(t, "summary.JobID", s.JobID, id)
		want(t, "summary.Namespace", s.Namespace, cfg.namespace)
		checkIndexes(t, "summary", s.CreateIndex, s.ModifyIndex)
		g := s.Summary[groupName]
		want(t, "Summary.web.Failed", g.Failed, 0)
		want(t, "Summary.web.Lost", g.Lost, 0)
	})

	f.step("StableAfterSuccess", func(t *testing.T) {
		// A successful deployment marks its version stable (§2.10 rule 3).
		j := followJob(t, c, id, "job version 0 stable", func(j *api.Job) bool { return val(j.Stable) })
		checkJob(t, "job", j, id)
		wantPtr(t, "Status", j.Status, "running")
		wantPtr(t, "Version", j.Version, uint64(0))
		v0 = j
	})

	f.check("ReRegisterUnchanged", func(t *testing.T) {
		// An identical spec makes no version and no spec write, only an evaluation (§1.1.1 rule 2).
		register(t, c, serviceJob(id, imageV0, jobOptions{}))
		j, _, err := c.api.Jobs().Info(id, nil)
		if err != nil {
			t.Fatalf("Jobs().Info: %v", err)
		}
		wantPtr(t, "Version", j.Version, uint64(0))
		wantPtr(t, "JobModifyIndex", j.JobModifyIndex, val(v0.JobModifyIndex))
		versions, _, _, err := c.api.Jobs().Versions(id, false, nil)
		if err != nil {
			t.Fatalf("Jobs().Versions: %v", err)
		}
		want(t, "number of versions", len(versions), 1)
	})

	var stopped uint64
	f.step("Stop", func(t *testing.T) {
		// Deregister without purge: a new version with Stop true; the allocations stop.
		prev, _, err := c.api.Jobs().Info(id, nil)
		if err != nil {
			t.Fatalf("Jobs().Info: %v", err)
		}
		evalID, wm, err := c.api.Jobs().Deregister(id, false, nil)
		if err != nil {
			t.Fatalf("Jobs().Deregister(purge=false): %v", err)
		}
		resp, _ := strictWrite[api.JobDeregisterResponse](t, c, "DELETE /v1/job/:id")
		if evalID == "" || resp.EvalID == "" {
			t.Errorf("EvalID is empty")
		}
		if wm.LastIndex == 0 || resp.JobModifyIndex == 0 {
			t.Errorf("X-Nomad-Index %d, JobModifyIndex %d: neither may be 0", wm.LastIndex, resp.JobModifyIndex)
		}
		j := followJob(t, c, id, "stopped job dead", func(j *api.Job) bool { return val(j.Status) == "dead" })
		checkJob(t, "job", j, id)
		wantPtr(t, "Stop", j.Stop, true)
		wantPtr(t, "Version", j.Version, val(prev.Version)+1)
		stopped = val(j.Version)
		followJobAllocs(t, c, id, "no live allocation", func(as []*api.AllocationListStub) bool { return len(liveAllocs(as)) == 0 })
	})

	f.check("RunStoppedJobAgain", func(t *testing.T) {
		// Stop flips back: a spec change, so another version (§4.4).
		register(t, c, serviceJob(id, imageV0, jobOptions{}))
		j := followJob(t, c, id, "job running again", func(j *api.Job) bool { return !val(j.Stop) })
		wantPtr(t, "Version", j.Version, stopped+1)
		checkJob(t, "job", j, id)
		followJobAllocs(t, c, id, "two live allocations again", func(as []*api.AllocationListStub) bool { return len(liveAllocs(as)) == 2 })
	})

	f.check("Purge", func(t *testing.T) {
		if _, _, err := c.api.Jobs().Deregister(id, true, nil); err != nil {
			t.Fatalf("Jobs().Deregister(purge=true): %v", err)
		}
		strictWrite[api.JobDeregisterResponse](t, c, "DELETE /v1/job/:id?purge=true")
		deadline := time.Now().Add(rolloutTimeout)
		for {
			_, _, err := c.api.Jobs().Info(id, nil)
			if isStatus(err, http.StatusNotFound) {
				wantError(t, c, err, http.StatusNotFound, "job not found")
				break
			}
			if err != nil {
				t.Fatalf("Jobs().Info after purge: %v", err)
			}
			if time.Now().After(deadline) {
				t.Fatalf("job %s still readable %s after the purge", id, rolloutTimeout)
			}
			time.Sleep(time.Second)
		}
		stubs, _, err := c.api.Jobs().PrefixList(id)
		if err != nil {
			t.Fatalf("Jobs().PrefixList: %v", err)
		}
		if len(stubs) != 0 {
			t.Errorf("GET /v1/jobs?prefix=%s still lists %d jobs after the purge", id, len(stubs))
		}
	})
}
