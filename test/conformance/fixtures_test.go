package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/nomad/api"
)

// Images only name a version: Caravan runs the tasks as Pods on kwok's fake nodes.
const (
	imageV0 = "nginx:1.27"
	imageV1 = "nginx:1.28"
	imageV2 = "nginx:1.29"
	imageV3 = "nginx:1.30"
)

const (
	groupName = "web"
	taskName  = "app"
	// rolloutTimeout bounds each wait for the controller (placement, health, a rollout step).
	rolloutTimeout = 3 * time.Minute
	// followWait is the wait= of each blocking query the followers send.
	followWait = 10 * time.Second
)

// The update block every test job has (the issue's): canary 1, max_parallel 1,
// min_healthy_time 1s, healthy_deadline 30s, progress_deadline 2m.
var (
	wantMinHealthy       = time.Second
	wantHealthyDeadline  = 30 * time.Second
	wantProgressDeadline = 2 * time.Minute
)

type jobOptions struct {
	count       int
	healthCheck string // "" leaves Nomad's default ("checks")
	autoRevert  bool
}

// serviceJob is a service job as a Nomad user's Go program writes it: the api package's
// builders, no defaults filled in (the server canonicalizes), one group "web" with one docker
// task "app", and the update block above at job level.
func serviceJob(id, image string, o jobOptions) *api.Job {
	if o.count == 0 {
		o.count = 2
	}
	job := api.NewServiceJob(id, id, api.GlobalRegion, api.JobDefaultPriority)
	job.Namespace = new(cfg.namespace)
	job.Datacenters = []string{"*"}
	job.Update = &api.UpdateStrategy{
		MaxParallel:      new(1),
		Canary:           new(1),
		MinHealthyTime:   new(wantMinHealthy),
		HealthyDeadline:  new(wantHealthyDeadline),
		ProgressDeadline: new(wantProgressDeadline),
		AutoRevert:       new(o.autoRevert),
	}
	if o.healthCheck != "" {
		job.Update.HealthCheck = new(o.healthCheck)
	}
	task := api.NewTask(taskName, "docker").
		SetConfig("image", image).
		Require(&api.Resources{CPU: new(100), MemoryMB: new(64)})
	job.AddTaskGroup(api.NewTaskGroup(groupName, o.count).AddTask(task))
	return job
}

// register submits job with the official client, checks the response, and purges the job when
// the test ends (unless CARAVAN_CONFORMANCE_KEEP=1).
func register(t *testing.T, c *conn, job *api.Job) *api.JobRegisterResponse {
	t.Helper()
	cleanupJob(c, *job.ID)
	resp, wm, err := c.api.Jobs().Register(job, nil)
	if err != nil {
		t.Fatalf("Jobs().Register(%s): %v", *job.ID, err)
	}
	checkRegisterResponse(t, c, "Jobs().Register", resp, wm)
	return resp
}

// cleanupJob purges the job when the test that owns the conn ends, once per job.
func cleanupJob(c *conn, id string) {
	if cfg.keep || c.cleanups[id] {
		return
	}
	if c.cleanups == nil {
		c.cleanups = map[string]bool{}
	}
	c.cleanups[id] = true
	owner := c.owner
	owner.Cleanup(func() {
		if _, _, err := c.api.Jobs().Deregister(id, true, nil); err != nil && !isStatus(err, http.StatusNotFound) {
			owner.Logf("cleanup: purging job %s: %v", id, err)
		}
	})
}

func checkRegisterResponse(t *testing.T, c *conn, what string, resp *api.JobRegisterResponse, wm *api.WriteMeta) {
	t.Helper()
	strictWrite[api.JobRegisterResponse](t, c, what)
	if resp.EvalID == "" {
		t.Errorf("%s: EvalID is empty (Caravan records each reconcile as an evaluation, so writes return its ID)", what)
	}
	if resp.JobModifyIndex == 0 {
		t.Errorf("%s: JobModifyIndex is 0", what)
	}
	if wm == nil || wm.LastIndex == 0 {
		t.Errorf("%s: the client read no X-Nomad-Index", what)
	}
}

func isStatus(err error, status int) bool {
	var ure api.UnexpectedResponseError
	return errors.As(err, &ure) && ure.StatusCode() == status
}

// ---- field checks ----------------------------------------------------------------------

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func checkUUID(t *testing.T, what, s string) {
	t.Helper()
	if !uuidRE.MatchString(s) {
		t.Errorf("%s = %q, want a lowercase UUID (Caravan's IDs are Kubernetes UIDs)", what, s)
	}
}

// checkNanos: CreateTime, ModifyTime, SubmitTime, … are Unix nanoseconds, not seconds or ms.
func checkNanos(t *testing.T, what string, v int64) {
	t.Helper()
	lo := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	hi := time.Now().Add(time.Hour).UnixNano()
	if v < lo || v > hi {
		t.Errorf("%s = %d, want Unix nanoseconds of a recent instant (between %d and %d)", what, v, lo, hi)
	}
}

func checkIndexes(t *testing.T, what string, create, modify uint64) {
	t.Helper()
	if create == 0 {
		t.Errorf("%s.CreateIndex is 0", what)
	}
	if modify < create {
		t.Errorf("%s.ModifyIndex %d < CreateIndex %d", what, modify, create)
	}
}

func want[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func wantPtr[T comparable](t *testing.T, what string, got *T, want T) {
	t.Helper()
	if got == nil {
		t.Errorf("%s is missing (null), want %v", what, want)
	} else if *got != want {
		t.Errorf("%s = %v, want %v", what, *got, want)
	}
}

func oneOf(t *testing.T, what, got string, allowed ...string) {
	t.Helper()
	if !slices.Contains(allowed, got) {
		t.Errorf("%s = %q, want one of %q", what, got, allowed)
	}
}

func val[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// checkJob checks a full Job: identity, indexes, times, and the group as the tests submit it.
func checkJob(t *testing.T, what string, j *api.Job, id string) {
	t.Helper()
	if j == nil {
		t.Errorf("%s is null", what)
		return
	}
	wantPtr(t, what+".ID", j.ID, id)
	wantPtr(t, what+".Name", j.Name, id)
	wantPtr(t, what+".Namespace", j.Namespace, cfg.namespace)
	wantPtr(t, what+".Type", j.Type, api.JobTypeService)
	if val(j.Region) == "" {
		t.Errorf("%s.Region is empty (Nomad's default is %q)", what, api.GlobalRegion)
	}
	if j.Priority == nil || *j.Priority < 1 || *j.Priority > 100 {
		t.Errorf("%s.Priority = %v, want 1..100", what, val(j.Priority))
	}
	oneOf(t, what+".Status", val(j.Status), "pending", "running", "dead")
	for name, p := range map[string]any{"Version": j.Version, "Stable": j.Stable, "Stop": j.Stop, "SubmitTime": j.SubmitTime, "CreateIndex": j.CreateIndex, "ModifyIndex": j.ModifyIndex, "JobModifyIndex": j.JobModifyIndex} {
		if isNilPtr(p) {
			t.Errorf("%s.%s is missing (null)", what, name)
		}
	}
	checkNanos(t, what+".SubmitTime", val(j.SubmitTime))
	checkIndexes(t, what, val(j.CreateIndex), val(j.ModifyIndex))
	if jm := val(j.JobModifyIndex); jm < val(j.CreateIndex) || jm > val(j.ModifyIndex) {
		t.Errorf("%s.JobModifyIndex %d is not within CreateIndex %d .. ModifyIndex %d", what, jm, val(j.CreateIndex), val(j.ModifyIndex))
	}
	if len(j.TaskGroups) != 1 {
		t.Errorf("%s has %d task groups, want 1", what, len(j.TaskGroups))
		return
	}
	tg := j.TaskGroups[0]
	wantPtr(t, what+".TaskGroups[0].Name", tg.Name, groupName)
	if len(tg.Tasks) != 1 {
		t.Errorf("%s.TaskGroups[0] has %d tasks, want 1", what, len(tg.Tasks))
		return
	}
	want(t, what+".TaskGroups[0].Tasks[0].Name", tg.Tasks[0].Name, taskName)
	want(t, what+".TaskGroups[0].Tasks[0].Driver", tg.Tasks[0].Driver, "docker")
}

func isNilPtr(p any) bool {
	switch v := p.(type) {
	case *uint64:
		return v == nil
	case *int64:
		return v == nil
	case *bool:
		return v == nil
	}
	return p == nil
}

// jobImage is the image of the job's only task.
func jobImage(j *api.Job) string {
	if j == nil || len(j.TaskGroups) == 0 || len(j.TaskGroups[0].Tasks) == 0 {
		return ""
	}
	s, _ := j.TaskGroups[0].Tasks[0].Config["image"].(string)
	return s
}

// groupUpdate is the group's update strategy: after canonicalization the group copies are
// authoritative (Nomad keeps only Stagger and MaxParallel at job level).
func groupUpdate(j *api.Job) *api.UpdateStrategy {
	if j == nil || len(j.TaskGroups) == 0 {
		return nil
	}
	return j.TaskGroups[0].Update
}

func checkDeployment(t *testing.T, what string, d *api.Deployment, jobID string) {
	t.Helper()
	if d == nil {
		t.Errorf("%s is null", what)
		return
	}
	checkUUID(t, what+".ID", d.ID)
	want(t, what+".Namespace", d.Namespace, cfg.namespace)
	want(t, what+".JobID", d.JobID, jobID)
	oneOf(t, what+".Status", d.Status, "running", "paused", "failed", "successful", "cancelled")
	if d.StatusDescription == "" {
		t.Errorf("%s.StatusDescription is empty", what)
	}
	checkIndexes(t, what, d.CreateIndex, d.ModifyIndex)
	if d.JobCreateIndex == 0 || d.JobModifyIndex == 0 || d.JobSpecModifyIndex == 0 {
		t.Errorf("%s: JobCreateIndex %d, JobModifyIndex %d, JobSpecModifyIndex %d: none may be 0", what, d.JobCreateIndex, d.JobModifyIndex, d.JobSpecModifyIndex)
	}
	checkNanos(t, what+".CreateTime", d.CreateTime)
	if d.ModifyTime != 0 {
		checkNanos(t, what+".ModifyTime", d.ModifyTime)
	}
	g, ok := d.TaskGroups[groupName]
	if !ok || g == nil {
		t.Errorf("%s.TaskGroups has no %q", what, groupName)
		return
	}
	want(t, what+".TaskGroups.web.ProgressDeadline", g.ProgressDeadline, wantProgressDeadline)
	for _, id := range g.PlacedCanaries {
		checkUUID(t, what+".TaskGroups.web.PlacedCanaries[]", id)
	}
}

// group is the deployment's state for the "web" group; the test stops if there is none.
func group(t *testing.T, d *api.Deployment) *api.DeploymentState {
	t.Helper()
	if d == nil {
		t.Fatalf("the deployment is null")
	}
	g := d.TaskGroups[groupName]
	if g == nil {
		t.Fatalf("deployment %s has no state for group %q: TaskGroups = %s", d.ID, groupName, describe(d.TaskGroups))
	}
	return g
}

func checkAllocStub(t *testing.T, what string, a *api.AllocationListStub, jobID string) {
	t.Helper()
	if a == nil {
		t.Errorf("%s is null", what)
		return
	}
	checkUUID(t, what+".ID", a.ID)
	want(t, what+".Namespace", a.Namespace, cfg.namespace)
	want(t, what+".JobID", a.JobID, jobID)
	want(t, what+".JobType", a.JobType, api.JobTypeService)
	want(t, what+".TaskGroup", a.TaskGroup, groupName)
	checkAllocName(t, what+".Name", a.Name, jobID)
	oneOf(t, what+".DesiredStatus", a.DesiredStatus, "run", "stop", "evict")
	oneOf(t, what+".ClientStatus", a.ClientStatus, "pending", "running", "complete", "failed", "lost", "unknown")
	if a.ClientStatus == "running" && (a.NodeID == "" || a.NodeName == "") {
		t.Errorf("%s is running but NodeID %q / NodeName %q is empty", what, a.NodeID, a.NodeName)
	}
	checkIndexes(t, what, a.CreateIndex, a.ModifyIndex)
	checkNanos(t, what+".CreateTime", a.CreateTime)
	checkNanos(t, what+".ModifyTime", a.ModifyTime)
}

var allocNameRE = regexp.MustCompile(`^(.+)\.([^.\[]+)\[(\d+)\]$`)

func checkAllocName(t *testing.T, what, name, jobID string) {
	t.Helper()
	m := allocNameRE.FindStringSubmatch(name)
	if m == nil || m[1] != jobID || m[2] != groupName {
		t.Errorf("%s = %q, want Nomad's <job>.<group>[<index>], e.g. %s.%s[0]", what, name, jobID, groupName)
	}
}

func checkAlloc(t *testing.T, what string, a *api.Allocation, jobID string) {
	t.Helper()
	if a == nil {
		t.Errorf("%s is null", what)
		return
	}
	switch {
	case a.Job == nil:
		t.Errorf("%s.Job is null: an allocation carries the job version it runs", what)
	case a.Job.Type == nil || a.Job.Version == nil:
		// api.Allocation.Stub() (used by Nomad tools) dereferences both.
		t.Errorf("%s.Job.Type %v / Job.Version %v is missing", what, a.Job.Type, a.Job.Version)
	default:
		wantPtr(t, what+".Job.ID", a.Job.ID, jobID)
		checkAllocStub(t, what, a.Stub(), jobID)
	}
	if a.AllocModifyIndex == 0 {
		t.Errorf("%s.AllocModifyIndex is 0", what)
	}
}

// live reports whether an allocation still runs or is about to: not stopped by the server,
// not terminal on the client.
func live(a *api.AllocationListStub) bool {
	return a.DesiredStatus == api.AllocDesiredStatusRun &&
		(a.ClientStatus == api.AllocClientStatusPending || a.ClientStatus == api.AllocClientStatusRunning)
}

func liveAllocs(allocs []*api.AllocationListStub) []*api.AllocationListStub {
	var out []*api.AllocationListStub
	for _, a := range allocs {
		if live(a) {
			out = append(out, a)
		}
	}
	return out
}

func healthy(ds *api.AllocDeploymentStatus) bool {
	return ds != nil && ds.Healthy != nil && *ds.Healthy
}

func describe(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%+v", v)
	}
	return snippet(b)
}

// ---- following state with blocking queries ---------------------------------------------

type query[T any] func(q *api.QueryOptions) (T, *api.QueryMeta, error)

// follow runs a blocking query until cond holds, the way Nomad's CLI watches things: each
// round sends index=<the previous X-Nomad-Index>&wait=10s. Every answer is decoded strictly,
// and Nomad's blocking contract is checked: the index never goes backwards, and an answer with
// an unchanged index comes only after the wait has run out.
func follow[T any](t *testing.T, c *conn, what string, timeout time.Duration, run query[T], cond func(T) bool) T {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var index uint64
	var last T
	for rounds := 0; ; rounds++ {
		remaining := time.Until(deadline)
		if remaining <= 0 {
			t.Fatalf("%s: not reached within %s (%d blocking queries); last answer: %s", what, timeout, rounds, describe(last))
		}
		wait := min(followWait, remaining)
		q := &api.QueryOptions{WaitIndex: index, WaitTime: wait}
		ctx, cancel := context.WithTimeout(context.Background(), wait+wait/16+15*time.Second)
		start := time.Now()
		v, qm, err := run(q.WithContext(ctx))
		elapsed := time.Since(start)
		cancel()
		if err != nil {
			t.Fatalf("%s: blocking query (index=%d, wait=%s): %v", what, index, wait, err)
		}
		strictRead[T](t, c, what)
		last = v
		if index > 0 {
			if qm.LastIndex < index {
				t.Errorf("%s: X-Nomad-Index went backwards: asked index=%d, got %d", what, index, qm.LastIndex)
			}
			if qm.LastIndex == index && elapsed < wait*9/10 {
				t.Errorf("%s: a blocking query with index=%d wait=%s returned after %s with the same index; Nomad answers early only once the index has grown", what, index, wait, elapsed.Round(time.Millisecond))
			}
		}
		if cond(v) {
			return v
		}
		if qm.LastIndex == 0 {
			time.Sleep(time.Second) // no index to block on: poll
		}
		index = qm.LastIndex
	}
}

func followJob(t *testing.T, c *conn, id, what string, cond func(*api.Job) bool) *api.Job {
	t.Helper()
	return follow(t, c, what, rolloutTimeout, func(q *api.QueryOptions) (*api.Job, *api.QueryMeta, error) {
		return c.api.Jobs().Info(id, q)
	}, cond)
}

func followDeployment(t *testing.T, c *conn, id, what string, cond func(*api.Deployment) bool) *api.Deployment {
	t.Helper()
	return follow(t, c, what, rolloutTimeout, func(q *api.QueryOptions) (*api.Deployment, *api.QueryMeta, error) {
		return c.api.Deployments().Info(id, q)
	}, cond)
}

func followJobAllocs(t *testing.T, c *conn, id, what string, cond func([]*api.AllocationListStub) bool) []*api.AllocationListStub {
	t.Helper()
	return follow(t, c, what, rolloutTimeout, func(q *api.QueryOptions) ([]*api.AllocationListStub, *api.QueryMeta, error) {
		return c.api.Jobs().Allocations(id, false, q)
	}, cond)
}

// deploymentOf follows the job's latest deployment until there is one for version.
func deploymentOf(t *testing.T, c *conn, jobID string, version uint64) *api.Deployment {
	t.Helper()
	return follow(t, c, fmt.Sprintf("latest deployment of %s for version %d", jobID, version), rolloutTimeout,
		func(q *api.QueryOptions) (*api.Deployment, *api.QueryMeta, error) {
			return c.api.Jobs().LatestDeployment(jobID, q)
		},
		func(d *api.Deployment) bool { return d != nil && d.JobVersion == version })
}

func terminalDeployment(d *api.Deployment) bool {
	switch d.Status {
	case api.DeploymentStatusSuccessful, api.DeploymentStatusFailed, api.DeploymentStatusCancelled:
		return true
	}
	return false
}

// untilSuccessful follows a deployment until it ends, and fails the test unless it succeeded.
func untilSuccessful(t *testing.T, c *conn, id string) *api.Deployment {
	t.Helper()
	d := followDeployment(t, c, id, "deployment "+id+" until it ends", terminalDeployment)
	if d.Status != api.DeploymentStatusSuccessful {
		t.Fatalf("deployment %s ended %q (%s), want successful", id, d.Status, d.StatusDescription)
	}
	want(t, "StatusDescription", d.StatusDescription, "Deployment completed successfully")
	return d
}

// registerAndRoll registers job (version 0) and waits for its first deployment to succeed.
func registerAndRoll(t *testing.T, c *conn, job *api.Job) *api.Deployment {
	t.Helper()
	register(t, c, job)
	d := deploymentOf(t, c, *job.ID, 0)
	return untilSuccessful(t, c, d.ID)
}

// setHealthyUntilDone marks every unhealthy-yet live allocation of a manual-health deployment
// healthy, round after round, until the deployment ends.
func setHealthyUntilDone(t *testing.T, c *conn, depID string) *api.Deployment {
	t.Helper()
	deadline := time.Now().Add(rolloutTimeout)
	for time.Now().Before(deadline) {
		d, _, err := c.api.Deployments().Info(depID, nil)
		if err != nil {
			t.Fatalf("Deployments().Info(%s): %v", depID, err)
		}
		if terminalDeployment(d) {
			return d
		}
		allocs, _, err := c.api.Deployments().Allocations(depID, nil)
		if err != nil {
			t.Fatalf("Deployments().Allocations(%s): %v", depID, err)
		}
		var waiting []string
		for _, a := range allocs {
			if live(a) && (a.DeploymentStatus == nil || a.DeploymentStatus.Healthy == nil) {
				waiting = append(waiting, a.ID)
			}
		}
		if len(waiting) > 0 {
			if _, _, err := c.api.Deployments().SetAllocHealth(depID, waiting, nil, nil); err != nil {
				t.Fatalf("Deployments().SetAllocHealth(%s, healthy %v): %v", depID, waiting, err)
			}
		}
		// Block until the deployment or its allocations move on.
		_, _, _ = c.api.Deployments().Info(depID, &api.QueryOptions{WaitIndex: maxIndex(d.ModifyIndex), WaitTime: 3 * time.Second})
	}
	t.Fatalf("deployment %s did not end within %s while its allocations were marked healthy", depID, rolloutTimeout)
	return nil
}

func maxIndex(xs ...uint64) uint64 { return slices.Max(xs) }

// findFieldDiff searches a plan or version diff for a field change by name.
func findFieldDiff(d *api.JobDiff, name string) *api.FieldDiff {
	if d == nil {
		return nil
	}
	var inObjects func([]*api.ObjectDiff) *api.FieldDiff
	inFields := func(fs []*api.FieldDiff) *api.FieldDiff {
		for _, f := range fs {
			if strings.EqualFold(f.Name, name) {
				return f
			}
		}
		return nil
	}
	inObjects = func(os []*api.ObjectDiff) *api.FieldDiff {
		for _, o := range os {
			if f := inFields(o.Fields); f != nil {
				return f
			}
			if f := inObjects(o.Objects); f != nil {
				return f
			}
		}
		return nil
	}
	if f := inFields(d.Fields); f != nil {
		return f
	}
	if f := inObjects(d.Objects); f != nil {
		return f
	}
	for _, tg := range d.TaskGroups {
		if f := inFields(tg.Fields); f != nil {
			return f
		}
		if f := inObjects(tg.Objects); f != nil {
			return f
		}
		for _, task := range tg.Tasks {
			if f := inFields(task.Fields); f != nil {
				return f
			}
			if f := inObjects(task.Objects); f != nil {
				return f
			}
		}
	}
	return nil
}
