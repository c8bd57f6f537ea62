package conformance

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/nomad/api"
)

// periodicForceResponse is the client's (unexported) answer type of Jobs().PeriodicForce.
type periodicForceResponse struct {
	EvalID string
}

// The keys Nomad's server writes in these answers that the client's types do not declare (see
// nomadOnlyKeys): the server's structs embed WriteMeta ("Index") and the eval's create index.
func init() {
	nomadOnlyKeys[reflect.TypeFor[periodicForceResponse]()] = []string{"EvalCreateIndex", "Index"}
	nomadOnlyKeys[reflect.TypeFor[api.JobDispatchResponse]()] = []string{"Index"}
}

// batchParent is a batch job as a Nomad user's Go program writes it: one group "web" with one
// docker task "app" that completes (kwok's simulated behaviour), plus what makes it a parent.
func batchParent(id string, extra func(job *api.Job, task *api.Task)) *api.Job {
	job := api.NewBatchJob(id, id, api.GlobalRegion, api.JobDefaultPriority)
	job.Namespace = new(cfg.namespace)
	job.Datacenters = []string{"*"}
	task := api.NewTask(taskName, "docker").
		SetConfig("image", imageV0).
		Require(&api.Resources{CPU: new(100), MemoryMB: new(64)})
	extra(job, task)
	job.AddTaskGroup(api.NewTaskGroup(groupName, 1).AddTask(task))
	return job
}

// registerParent registers a periodic or parameterized job: Nomad creates no evaluation for it.
func registerParent(t *testing.T, c *conn, job *api.Job) {
	t.Helper()
	cleanupJob(c, *job.ID)
	resp, _, err := c.api.Jobs().Register(job, nil)
	if err != nil {
		t.Fatalf("Jobs().Register(%s): %v", *job.ID, err)
	}
	strictWrite[api.JobRegisterResponse](t, c, "Jobs().Register")
	want(t, "EvalID of a parent's register", resp.EvalID, "")
}

// childrenOf lists the jobs whose ID starts with "<parent>/", as `?prefix=` does.
func childrenOf(t *testing.T, c *conn, parent string) []*api.JobListStub {
	t.Helper()
	stubs, _, err := c.api.Jobs().PrefixList(parent + "/")
	if err != nil {
		t.Fatalf("Jobs().PrefixList(%s/): %v", parent, err)
	}
	strictRead[[]*api.JobListStub](t, c, "GET /v1/jobs?prefix=")
	return stubs
}

// TestPeriodicForce: a periodic parent launches a child now with Jobs().PeriodicForce; the child
// is listed under the parent's prefix with ParentID, and read by its Nomad ID (job-types §1.6, §5.4).
func TestPeriodicForce(t *testing.T) {
	c := server(t)
	id := uniqueID("periodic")
	f := newFlow(t)
	var childID string

	f.step("Register", func(t *testing.T) {
		registerParent(t, c, batchParent(id, func(job *api.Job, _ *api.Task) {
			job.Periodic = &api.PeriodicConfig{Enabled: new(true), Specs: []string{"0 2 * * *"}, ProhibitOverlap: new(true), TimeZone: new("Europe/Berlin")}
		}))
	})

	f.step("PeriodicForce", func(t *testing.T) {
		evalID, wm, err := c.api.Jobs().PeriodicForce(id, nil)
		if err != nil {
			t.Fatalf("Jobs().PeriodicForce: %v", err)
		}
		strictWrite[periodicForceResponse](t, c, "Jobs().PeriodicForce")
		checkUUID(t, "EvalID", evalID)
		if wm == nil || wm.LastIndex == 0 {
			t.Errorf("PeriodicForce: the client read no X-Nomad-Index")
		}
	})

	f.step("ChildListed", func(t *testing.T) {
		stubs := childrenOf(t, c, id)
		if len(stubs) != 1 {
			t.Fatalf("%d jobs under %s/, want the forced child", len(stubs), id)
		}
		childID = stubs[0].ID
		if !strings.HasPrefix(childID, id+"/periodic-") {
			t.Errorf("child ID %q, want %s/periodic-<unix>", childID, id)
		}
		want(t, "stub.ParentID", stubs[0].ParentID, id)
		want(t, "stub.Periodic", stubs[0].Periodic, false)
	})

	f.check("ChildInfo", func(t *testing.T) {
		j, _, err := c.api.Jobs().Info(childID, nil)
		if err != nil {
			t.Fatalf("Jobs().Info(%s): %v", childID, err)
		}
		strictRead[api.Job](t, c, "GET /v1/job/:child")
		wantPtr(t, "child.ID", j.ID, childID)
		wantPtr(t, "child.ParentID", j.ParentID, id)
		if j.Periodic != nil {
			t.Errorf("child.Periodic = %v, want null (a child runs the parent's spec without periodic)", describe(j.Periodic))
		}
	})

	f.check("ParentSummary", func(t *testing.T) {
		s, _, err := c.api.Jobs().Summary(id, nil)
		if err != nil {
			t.Fatalf("Jobs().Summary: %v", err)
		}
		strictRead[api.JobSummary](t, c, "GET /v1/job/:id/summary")
		if s.Children == nil {
			t.Fatalf("Summary.Children is null for a periodic parent")
		}
		if total := s.Children.Pending + s.Children.Running + s.Children.Dead; total != 1 {
			t.Errorf("Summary.Children counts %d children, want 1", total)
		}
	})

	f.check("NotPeriodic", func(t *testing.T) {
		plain := uniqueID("plain")
		registerParent(t, c, batchParent(plain, func(job *api.Job, _ *api.Task) {
			job.ParameterizedJob = &api.ParameterizedJobConfig{}
		}))
		_, _, err := c.api.Jobs().PeriodicForce(plain, nil)
		if err == nil || !strings.Contains(err.Error(), "can't force launch non-periodic job") {
			t.Errorf("PeriodicForce of a non-periodic job: %v, want Nomad's \"can't force launch non-periodic job\"", err)
		}
	})
}

// TestDispatch: Jobs().Dispatch of a parameterized parent with meta, a payload and an ID prefix
// template; Nomad's refusals (job-types §2.2, §2.3, §6.2).
func TestDispatch(t *testing.T) {
	c := server(t)
	id := uniqueID("dispatch")
	f := newFlow(t)
	var dispatched string

	f.step("Register", func(t *testing.T) {
		registerParent(t, c, batchParent(id, func(job *api.Job, task *api.Task) {
			job.ParameterizedJob = &api.ParameterizedJobConfig{Payload: "required", MetaRequired: []string{"customer"}, MetaOptional: []string{"mode"}}
			task.DispatchPayload = &api.DispatchPayloadConfig{File: "input.json"}
		}))
	})

	f.step("Dispatch", func(t *testing.T) {
		resp, _, err := c.api.Jobs().Dispatch(id, map[string]string{"customer": "acme"}, []byte(`{"order": 1}`), "acme", nil)
		if err != nil {
			t.Fatalf("Jobs().Dispatch: %v", err)
		}
		strictWrite[api.JobDispatchResponse](t, c, "Jobs().Dispatch")
		dispatched = resp.DispatchedJobID
		if !strings.HasPrefix(dispatched, id+"/dispatch-acme-") {
			t.Errorf("DispatchedJobID %q, want %s/dispatch-acme-<unix>-<hex>", dispatched, id)
		}
		checkUUID(t, "EvalID", resp.EvalID)
		if resp.JobCreateIndex == 0 {
			t.Errorf("JobCreateIndex is 0")
		}
	})

	f.check("Child", func(t *testing.T) {
		j, _, err := c.api.Jobs().Info(dispatched, nil)
		if err != nil {
			t.Fatalf("Jobs().Info(%s): %v", dispatched, err)
		}
		strictRead[api.Job](t, c, "GET /v1/job/:child")
		wantPtr(t, "child.ParentID", j.ParentID, id)
		want(t, "child.Dispatched", j.Dispatched, true)
		want(t, "child.Meta[customer]", j.Meta["customer"], "acme")
		stubs := childrenOf(t, c, id)
		if !slices.ContainsFunc(stubs, func(s *api.JobListStub) bool { return s.ID == dispatched && s.ParentID == id }) {
			t.Errorf("GET /v1/jobs?prefix=%s/ does not list %s with its ParentID", id, dispatched)
		}
	})

	f.check("Refusals", func(t *testing.T) {
		for _, tc := range []struct {
			meta    map[string]string
			payload []byte
			message string
		}{
			{map[string]string{"customer": "acme"}, nil, "Payload is not provided but required by parameterized job"},
			{map[string]string{"customer": "acme", "color": "red"}, []byte("x"), "Dispatch request included unpermitted metadata keys: [color]"},
			{map[string]string{"mode": "full"}, []byte("x"), "Dispatch did not provide required meta keys: [customer]"},
			{map[string]string{"customer": "acme"}, make([]byte, 16385), "Payload exceeds maximum size; 16385 > 16384"},
		} {
			_, _, err := c.api.Jobs().Dispatch(id, tc.meta, tc.payload, "", nil)
			if err == nil || !strings.Contains(err.Error(), tc.message) {
				t.Errorf("Dispatch(meta %v, %d bytes): %v, want %q", tc.meta, len(tc.payload), err, tc.message)
			}
		}
		_, _, err := c.api.Jobs().Dispatch(dispatched, nil, nil, "", nil)
		if err == nil || !strings.Contains(err.Error(), "is not a parameterized job") {
			t.Errorf("Dispatch of a dispatched child: %v, want Nomad's \"is not a parameterized job\"", err)
		}
	})
}
