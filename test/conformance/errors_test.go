package conformance

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/hashicorp/nomad/api"
)

// TestErrors: Nomad's status codes and plain-text error bodies where a request cannot be
// served (nomad-semantics §3.1-§3.6). The official client surfaces them as
// api.UnexpectedResponseError; tools match on the status and the text.
func TestErrors(t *testing.T) {
	c := server(t)
	id := uniqueID("err")
	missing := uniqueID("missing")
	missingUUID := randomUUID()
	f := newFlow(t)

	f.step("Setup", func(t *testing.T) {
		register(t, c, serviceJob(id, imageV0, jobOptions{}))
	})

	f.check("UnknownJob", func(t *testing.T) {
		_, _, err := c.api.Jobs().Info(missing, nil)
		wantError(t, c, err, http.StatusNotFound, "job not found")
		_, _, err = c.api.Jobs().Summary(missing, nil)
		wantError(t, c, err, http.StatusNotFound, "job not found")
		_, _, _, err = c.api.Jobs().Versions(missing, false, nil)
		wantError(t, c, err, http.StatusNotFound, "job versions not found")
	})

	f.check("UnknownJobListsAreEmpty", func(t *testing.T) {
		// Not errors in Nomad: [] and null with 200.
		allocs, _, err := c.api.Jobs().Allocations(missing, false, nil)
		if err != nil {
			t.Errorf("Jobs().Allocations(unknown job): %v; Nomad answers []", err)
		} else {
			_, ex := strictRead[[]*api.AllocationListStub](t, c, "GET /v1/job/:id/allocations (unknown job)")
			checkList(t, "GET /v1/job/:id/allocations", ex)
			want(t, "allocations of an unknown job", len(allocs), 0)
		}
		deps, _, err := c.api.Jobs().Deployments(missing, false, nil)
		if err != nil {
			t.Errorf("Jobs().Deployments(unknown job): %v; Nomad answers []", err)
		} else {
			_, ex := strictRead[[]*api.Deployment](t, c, "GET /v1/job/:id/deployments (unknown job)")
			checkList(t, "GET /v1/job/:id/deployments", ex)
			want(t, "deployments of an unknown job", len(deps), 0)
		}
		latest, _, err := c.api.Jobs().LatestDeployment(missing, nil)
		if err != nil {
			t.Errorf("Jobs().LatestDeployment(unknown job): %v; Nomad answers null", err)
		} else {
			strictRead[*api.Deployment](t, c, "GET /v1/job/:id/deployment (unknown job)")
			if latest != nil {
				t.Errorf("latest deployment of an unknown job = %s, want null", describe(latest))
			}
		}
	})

	f.check("DeregisterUnknownJob", func(t *testing.T) {
		// Nomad answers 200 with a zeroed response (§3.3).
		if _, _, err := c.api.Jobs().Deregister(missing, false, nil); err != nil {
			t.Errorf("Jobs().Deregister(unknown job): %v; Nomad answers 200", err)
		}
	})

	f.check("UnknownDeployment", func(t *testing.T) {
		_, _, err := c.api.Deployments().Info(missingUUID, nil)
		wantError(t, c, err, http.StatusNotFound, "deployment not found")
		// Writes say so with 500, not 404 (§3.5).
		_, _, err = c.api.Deployments().Pause(missingUUID, true, nil)
		wantError(t, c, err, http.StatusInternalServerError, "deployment not found")
		_, _, err = c.api.Deployments().PromoteAll(missingUUID, nil)
		wantError(t, c, err, http.StatusInternalServerError, "deployment not found")
		_, _, err = c.api.Deployments().Fail(missingUUID, nil)
		wantError(t, c, err, http.StatusInternalServerError, "deployment not found")
		allocs, _, err := c.api.Deployments().Allocations(missingUUID, nil)
		if err != nil {
			t.Errorf("Deployments().Allocations(unknown well-formed ID): %v; Nomad answers []", err)
		} else if len(allocs) != 0 {
			t.Errorf("allocations of an unknown deployment: %s", describe(allocs))
		}
	})

	f.check("UnknownAllocation", func(t *testing.T) {
		_, _, err := c.api.Allocations().Info(missingUUID, nil)
		wantError(t, c, err, http.StatusNotFound, "alloc not found")
		_, err = c.api.Allocations().Stop(&api.Allocation{ID: missingUUID}, nil)
		wantError(t, c, err, http.StatusNotFound, "allocation not found")
	})

	f.check("MalformedFilter", func(t *testing.T) {
		const bad = `Status ==`
		q := &api.QueryOptions{Filter: bad}
		_, _, err := c.api.Jobs().List(q)
		wantErrorPrefix(t, c, err, http.StatusBadRequest, api.ResultPaginatorErrorContent+": failed to read filter expression: ")
		_, _, err = c.api.Deployments().List(q)
		wantErrorPrefix(t, c, err, http.StatusBadRequest, api.ResultPaginatorErrorContent+": failed to read filter expression: ")
		_, _, err = c.api.Allocations().List(q)
		wantErrorPrefix(t, c, err, http.StatusBadRequest, api.ResultPaginatorErrorContent+": failed to read filter expression: ")
	})

	f.check("FilterOnUnknownField", func(t *testing.T) {
		// The filter is evaluated against the full Job; an unknown field is an error, not a
		// non-match (§3.2, §4.44). The test's own job guarantees there is something to evaluate.
		_, _, err := c.api.Jobs().List(&api.QueryOptions{Filter: `NoSuchField == "x"`})
		wantErrorPrefix(t, c, err, http.StatusBadRequest, "failed to read result page: ")
		// A missing map key is simply false.
		stubs, _, err := c.api.Jobs().List(&api.QueryOptions{Filter: `Meta["absent"] == "x"`})
		if err != nil {
			t.Errorf("a filter on a missing Meta key: %v; Nomad treats it as a non-match", err)
		} else if len(stubs) != 0 {
			t.Errorf("a filter on a missing Meta key matched %d jobs", len(stubs))
		}
	})

	f.check("InvalidBlockingParameters", func(t *testing.T) {
		ex := c.raw(t, http.MethodGet, "/v1/jobs", url.Values{"wait": {"soon"}}, nil, tokenHeader(cfg.token))
		wantRawError(t, ex, http.StatusBadRequest, "Invalid wait time")
		ex = c.raw(t, http.MethodGet, "/v1/job/"+id, url.Values{"index": {"soon"}}, nil, tokenHeader(cfg.token))
		wantRawError(t, ex, http.StatusBadRequest, "Invalid index")
	})

	f.check("WrongMethod", func(t *testing.T) {
		ex := c.raw(t, http.MethodDelete, "/v1/jobs", nil, nil, tokenHeader(cfg.token))
		wantRawError(t, ex, http.StatusMethodNotAllowed, "Invalid method")
	})

	f.check("RegisterWithoutJob", func(t *testing.T) {
		ex := c.raw(t, http.MethodPut, "/v1/jobs", nil, map[string]any{}, tokenHeader(cfg.token))
		wantRawError(t, ex, http.StatusBadRequest, "Job must be specified")
	})

	f.check("RegisterAtAnotherJobsPath", func(t *testing.T) {
		other := uniqueID("err")
		cleanupJob(c, other)
		ex := c.raw(t, http.MethodPut, "/v1/job/"+other, nil, api.JobRegisterRequest{Job: serviceJob(id, imageV1, jobOptions{})}, tokenHeader(cfg.token))
		wantRawError(t, ex, http.StatusBadRequest, "Job ID does not match name")
	})

	f.check("RegisterAtItsPath", func(t *testing.T) {
		// POST /v1/job/:id registers too (the path and Job.ID agree).
		ex := c.raw(t, http.MethodPost, "/v1/job/"+id, nil, api.JobRegisterRequest{Job: serviceJob(id, imageV0, jobOptions{})}, tokenHeader(cfg.token))
		if ex.Status != http.StatusOK {
			t.Fatalf("POST /v1/job/%s: HTTP %d %s, want 200", id, ex.Status, snippet(ex.Body))
		}
		var resp api.JobRegisterResponse
		for _, p := range strictProblems(ex.Body, &resp) {
			t.Errorf("POST /v1/job/:id: %s", p)
		}
		checkWriteHeaders(t, "POST /v1/job/:id", ex)
	})

	f.check("InvalidJobRefused", func(t *testing.T) {
		// Validation failures are 500 with Nomad's (multierror) text; nothing is created.
		bad := uniqueID("err")
		cleanupJob(c, bad)
		job := serviceJob(bad, imageV0, jobOptions{})
		job.Update.MinHealthyTime = new(30 * time.Second) // = healthy_deadline
		_, _, err := c.api.Jobs().Register(job, nil)
		wantErrorContains(t, c, err, http.StatusInternalServerError, "Minimum healthy time must be less than healthy deadline: 30s > 30s")
		_, _, err = c.api.Jobs().Info(bad, nil)
		wantError(t, c, err, http.StatusNotFound, "job not found")
	})
}

func randomUUID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
