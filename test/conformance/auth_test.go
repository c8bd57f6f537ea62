package conformance

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/nomad/api"
)

// endpoint is one route of the API with a request that would succeed with rights.
type endpoint struct {
	name   string
	method string
	path   string
	query  url.Values
	body   any
}

// TestAuth: Caravan's tokens are Kubernetes bearer tokens and RBAC decides. Every endpoint
// refuses a request without a token and one whose token has no RBAC rights, with Nomad's
// 403 "Permission denied", before doing anything (nomad-semantics §3.1 errors).
func TestAuth(t *testing.T) {
	c := server(t)
	id := uniqueID("auth")
	denied := uniqueID("denied")
	f := newFlow(t)
	var d0 *api.Deployment
	var alloc *api.AllocationListStub
	var index uint64

	f.step("Setup", func(t *testing.T) {
		d0 = registerAndRoll(t, c, serviceJob(id, imageV0, jobOptions{}))
		allocs := followJobAllocs(t, c, id, "two live allocations", func(as []*api.AllocationListStub) bool { return len(liveAllocs(as)) == 2 })
		alloc = liveAllocs(allocs)[0]
		_, qm, err := c.api.Jobs().Info(id, nil)
		if err != nil {
			t.Fatalf("Jobs().Info: %v", err)
		}
		index = qm.LastIndex
	})

	// Destructive ones last, so that a broken check shows on the reads first.
	endpoints := func() []endpoint {
		job := "/v1/job/" + id
		return []endpoint{
			{"ListJobs", http.MethodGet, "/v1/jobs", nil, nil},
			{"ReadJob", http.MethodGet, job, nil, nil},
			{"ReadJobBlocking", http.MethodGet, job, url.Values{"index": {strconv.FormatUint(index, 10)}, "wait": {"30s"}}, nil},
			{"JobVersions", http.MethodGet, job + "/versions", nil, nil},
			{"JobDeployments", http.MethodGet, job + "/deployments", nil, nil},
			{"JobLatestDeployment", http.MethodGet, job + "/deployment", nil, nil},
			{"JobAllocations", http.MethodGet, job + "/allocations", nil, nil},
			{"JobSummary", http.MethodGet, job + "/summary", nil, nil},
			{"ListDeployments", http.MethodGet, "/v1/deployments", nil, nil},
			{"ReadDeployment", http.MethodGet, "/v1/deployment/" + d0.ID, nil, nil},
			{"DeploymentAllocations", http.MethodGet, "/v1/deployment/allocations/" + d0.ID, nil, nil},
			{"ListAllocations", http.MethodGet, "/v1/allocations", nil, nil},
			{"ReadAllocation", http.MethodGet, "/v1/allocation/" + alloc.ID, nil, nil},
			{"PlanJob", http.MethodPut, job + "/plan", nil, api.JobPlanRequest{Job: serviceJob(id, imageV1, jobOptions{}), Diff: true}},
			{"RegisterJob", http.MethodPut, "/v1/jobs", nil, api.JobRegisterRequest{Job: serviceJob(denied, imageV0, jobOptions{})}},
			{"RegisterJobAtPath", http.MethodPost, "/v1/job/" + denied, nil, api.JobRegisterRequest{Job: serviceJob(denied, imageV0, jobOptions{})}},
			{"UpdateJob", http.MethodPut, "/v1/jobs", nil, api.JobRegisterRequest{Job: serviceJob(id, imageV1, jobOptions{})}},
			{"RevertJob", http.MethodPut, job + "/revert", nil, api.JobRevertRequest{JobID: id, JobVersion: 0}},
			{"SetJobStability", http.MethodPut, job + "/stable", nil, api.JobStabilityRequest{JobID: id, JobVersion: 0, Stable: false}},
			{"PromoteDeployment", http.MethodPut, "/v1/deployment/promote/" + d0.ID, nil, api.DeploymentPromoteRequest{DeploymentID: d0.ID, All: true}},
			{"PauseDeployment", http.MethodPut, "/v1/deployment/pause/" + d0.ID, nil, api.DeploymentPauseRequest{DeploymentID: d0.ID, Pause: true}},
			{"FailDeployment", http.MethodPut, "/v1/deployment/fail/" + d0.ID, nil, api.DeploymentFailRequest{DeploymentID: d0.ID}},
			{"SetAllocationHealth", http.MethodPut, "/v1/deployment/allocation-health/" + d0.ID, nil, api.DeploymentAllocHealthRequest{DeploymentID: d0.ID, UnhealthyAllocationIDs: []string{alloc.ID}}},
			{"StopAllocation", http.MethodPut, "/v1/allocation/" + alloc.ID + "/stop", nil, nil},
			{"StopJob", http.MethodDelete, job, nil, nil},
			{"PurgeJob", http.MethodDelete, job, url.Values{"purge": {"true"}}, nil},
		}
	}

	refused := func(t *testing.T, headers map[string]string, body string) {
		for _, ep := range endpoints() {
			t.Run(ep.name, func(t *testing.T) {
				ex := c.raw(t, ep.method, ep.path, cloneValues(ep.query), ep.body, headers)
				wantRawError(t, ex, http.StatusForbidden, body)
				if ex.Elapsed > 10*time.Second {
					t.Errorf("the refusal took %s: a request without rights must not block", ex.Elapsed.Round(time.Millisecond))
				}
			})
		}
	}

	f.check("NoToken", func(t *testing.T) {
		refused(t, nil, api.PermissionDeniedErrorContent)
	})

	f.check("UnprivilegedToken", func(t *testing.T) {
		if cfg.unprivToken == "" {
			t.Skip("CARAVAN_UNPRIVILEGED_TOKEN is not set: no token without RBAC rights to test with")
		}
		refused(t, tokenHeader(cfg.unprivToken), api.PermissionDeniedErrorContent)
	})

	f.check("UnprivilegedBearerToken", func(t *testing.T) {
		if cfg.unprivToken == "" {
			t.Skip("CARAVAN_UNPRIVILEGED_TOKEN is not set: no token without RBAC rights to test with")
		}
		refused(t, map[string]string{"Authorization": "Bearer " + cfg.unprivToken}, api.PermissionDeniedErrorContent)
	})

	f.check("UnknownToken", func(t *testing.T) {
		// A token the cluster does not know is Nomad's "ACL token not found".
		for _, ep := range endpoints()[:2] {
			ex := c.raw(t, ep.method, ep.path, nil, nil, tokenHeader("caravan-conformance-not-a-token"))
			wantRawError(t, ex, http.StatusForbidden, "ACL token not found")
		}
	})

	f.check("OfficialClientSeesPermissionDenied", func(t *testing.T) {
		for name, token := range map[string]string{"no token": "", "unprivileged token": cfg.unprivToken} {
			if name != "no token" && token == "" {
				continue
			}
			u := newConn(t, token)
			_, _, err := u.api.Jobs().Info(id, nil)
			wantError(t, u, err, http.StatusForbidden, api.PermissionDeniedErrorContent)
			_, _, err = u.api.Deployments().PromoteAll(d0.ID, nil)
			wantError(t, u, err, http.StatusForbidden, api.PermissionDeniedErrorContent)
		}
	})

	f.check("BearerHeaderAccepted", func(t *testing.T) {
		// Nomad takes the token from X-Nomad-Token or Authorization: Bearer.
		ex := c.raw(t, http.MethodGet, "/v1/job/"+id, nil, nil, map[string]string{"Authorization": "Bearer " + cfg.token})
		if ex.Status != http.StatusOK {
			t.Fatalf("GET /v1/job/%s with Authorization: Bearer: HTTP %d %s", id, ex.Status, snippet(ex.Body))
		}
		var j api.Job
		for _, p := range strictProblems(ex.Body, &j) {
			t.Errorf("GET /v1/job/:id: %s", p)
		}
		checkReadHeaders(t, "GET /v1/job/:id", ex)
	})

	f.check("NothingChanged", func(t *testing.T) {
		j, _, err := c.api.Jobs().Info(id, nil)
		if err != nil {
			t.Fatalf("Jobs().Info: %v", err)
		}
		wantPtr(t, "Version", j.Version, uint64(0))
		wantPtr(t, "Stop", j.Stop, false)
		wantPtr(t, "Stable", j.Stable, true)
		_, _, err = c.api.Jobs().Info(denied, nil)
		wantError(t, c, err, http.StatusNotFound, "job not found")
		d, _, err := c.api.Deployments().Info(d0.ID, nil)
		if err != nil {
			t.Fatalf("Deployments().Info: %v", err)
		}
		want(t, "deployment Status", d.Status, api.DeploymentStatusSuccessful)
		a, _, err := c.api.Allocations().Info(alloc.ID, nil)
		if err != nil {
			t.Fatalf("Allocations().Info: %v", err)
		}
		want(t, "allocation DesiredStatus", a.DesiredStatus, api.AllocDesiredStatusRun)
		if a.DeploymentStatus == nil || !healthy(a.DeploymentStatus) {
			t.Errorf("allocation health changed: %s", describe(a.DeploymentStatus))
		}
	})
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
