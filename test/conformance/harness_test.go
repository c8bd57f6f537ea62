package conformance

// Self-tests of the suite's strict decoding. They need no server and run even when
// NOMAD_ADDR is unset: they check the checker, not Caravan.

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/nomad/api"
)

// A deployment as Nomad's server writes it: EvalPriority and TaskGroups.*.AutoPromote are
// real Nomad keys the api package lacks.
const nomadDeploymentJSON = `{
  "ID": "0b8e6ac1-3f55-4b5e-9d1d-3e1c1b0b7a11", "Namespace": "default", "JobID": "web",
  "JobVersion": 1, "JobModifyIndex": 20, "JobSpecModifyIndex": 20, "JobCreateIndex": 10,
  "IsMultiregion": false,
  "TaskGroups": {"web": {"AutoRevert": false, "AutoPromote": false, "ProgressDeadline": 120000000000,
    "RequireProgressBy": "2026-10-20T10:00:00.123456789Z", "Promoted": false,
    "PlacedCanaries": ["5a3c0f8e-7b1d-4f6a-9e2b-1c4d5e6f7a8b"], "DesiredCanaries": 1, "DesiredTotal": 2,
    "PlacedAllocs": 1, "HealthyAllocs": 0, "UnhealthyAllocs": 0}},
  "Status": "running", "StatusDescription": "Deployment is running but requires manual promotion",
  "EvalPriority": 50, "CreateIndex": 21, "ModifyIndex": 25,
  "CreateTime": 1760000000000000000, "ModifyTime": 1760000001000000000
}`

func TestHarnessStrictDecodeAcceptsNomadJSON(t *testing.T) {
	var d api.Deployment
	if p := strictProblems([]byte(nomadDeploymentJSON), &d); len(p) > 0 {
		t.Fatalf("Nomad's own deployment JSON was refused: %v", p)
	}
	if d.TaskGroups["web"].DesiredCanaries != 1 || d.TaskGroups["web"].ProgressDeadline.String() != "2m0s" {
		t.Fatalf("decoded %+v", d.TaskGroups["web"])
	}
	var r api.JobRegisterResponse
	body := `{"EvalID":"e","EvalCreateIndex":3,"JobModifyIndex":3,"Warnings":"","Index":3,"LastContact":0,"KnownLeader":true,"NextToken":""}`
	if p := strictProblems([]byte(body), &r); len(p) > 0 {
		t.Fatalf("Nomad's register response was refused: %v", p)
	}
}

func TestHarnessStrictDecodeReportsEveryUnknownKey(t *testing.T) {
	body := strings.Replace(nomadDeploymentJSON, `"EvalPriority": 50,`, `"EvalPriority": 50, "metadata": {"uid": "x"}, "kubernetesName": "web-v1",`, 1)
	body = strings.Replace(body, `"DesiredTotal": 2,`, `"DesiredTotal": 2, "desiredReplicas": 2,`, 1)
	var d api.Deployment
	p := strings.Join(strictProblems([]byte(body), &d), "\n")
	for _, want := range []string{`$.metadata: unknown key`, `$.kubernetesName: unknown key`, `$.TaskGroups["web"].desiredReplicas: unknown key`} {
		if !strings.Contains(p, want) {
			t.Errorf("problems do not mention %q:\n%s", want, p)
		}
	}
}

func TestHarnessStrictDecodeIsCaseExact(t *testing.T) {
	// encoding/json alone would decode "jobID" into JobID without a word.
	body := strings.Replace(nomadDeploymentJSON, `"JobID"`, `"jobID"`, 1)
	var d api.Deployment
	p := strings.Join(strictProblems([]byte(body), &d), "\n")
	if !strings.Contains(p, "$.jobID: key differs in case from the client's field Deployment.JobID") {
		t.Fatalf("a camelCase key was not reported:\n%s", p)
	}
}

func TestHarnessNomadOnlyKeysAreScopedToTheirType(t *testing.T) {
	// "Index" is fine on a write response, not on a deployment.
	body := strings.Replace(nomadDeploymentJSON, `"EvalPriority": 50,`, `"EvalPriority": 50, "Index": 25,`, 1)
	var d api.Deployment
	if p := strings.Join(strictProblems([]byte(body), &d), "\n"); !strings.Contains(p, "$.Index: unknown key") {
		t.Fatalf("Index on a Deployment was not reported:\n%s", p)
	}
}

func TestHarnessStrictDecodeReportsWrongTypes(t *testing.T) {
	cases := map[string]struct {
		body string
		out  any
	}{
		"duration as a Go string": {`{"ID":"web","TaskGroups":[{"Name":"web","Update":{"MinHealthyTime":"1s"}}]}`, new(api.Job)},
		"index as a string":       {`{"ID":"x","CreateIndex":"12"}`, new(api.Deployment)},
		"time as nanoseconds":     {`{"PlacedCanaries":[],"RequireProgressBy":1760000000000000000}`, new(api.DeploymentState)},
		"object for a list":       {`{"ID":"x"}`, new([]*api.AllocationListStub)},
		"two JSON values":         {`{} {}`, new(api.JobSummary)},
	}
	for name, tc := range cases {
		if p := strictProblems([]byte(tc.body), tc.out); len(p) == 0 {
			t.Errorf("%s: accepted %s", name, tc.body)
		}
	}
}

func TestHarnessFieldDiffSearch(t *testing.T) {
	d := &api.JobDiff{Type: "Edited", TaskGroups: []*api.TaskGroupDiff{{Name: "web", Tasks: []*api.TaskDiff{{
		Name: "app", Objects: []*api.ObjectDiff{{Name: "Config", Fields: []*api.FieldDiff{{Type: "Edited", Name: "image", Old: imageV0, New: imageV1}}}},
	}}}}}
	if f := findFieldDiff(d, "image"); f == nil || f.Old != imageV0 || f.New != imageV1 {
		t.Fatalf("findFieldDiff = %+v", f)
	}
}

// fakeDeployment serves one deployment the way Nomad does: a blocking GET with index=N waits
// until the index passes N or the wait runs out. It turns successful after a moment.
type fakeDeployment struct {
	mu      sync.Mutex
	index   uint64
	status  string
	changed chan struct{}
}

func (f *fakeDeployment) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/v1/job/missing":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("job not found"))
		return
	case r.URL.Path != "/v1/deployment/"+fakeDeploymentID:
		http.NotFound(w, r)
		return
	}
	wait, _ := time.ParseDuration(r.URL.Query().Get("wait"))
	asked, _ := strconv.ParseUint(r.URL.Query().Get("index"), 10, 64)
	f.mu.Lock()
	index, changed := f.index, f.changed
	f.mu.Unlock()
	if asked > 0 && index <= asked {
		select {
		case <-changed:
		case <-time.After(wait):
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Nomad-Index", strconv.FormatUint(f.index, 10))
	w.Header().Set("X-Nomad-LastContact", "0")
	w.Header().Set("X-Nomad-KnownLeader", "true")
	body := strings.NewReplacer(`"Status": "running"`, `"Status": "`+f.status+`"`, `"ModifyIndex": 25`, `"ModifyIndex": `+strconv.FormatUint(f.index, 10)).Replace(nomadDeploymentJSON)
	_, _ = w.Write([]byte(body))
}

const fakeDeploymentID = "0b8e6ac1-3f55-4b5e-9d1d-3e1c1b0b7a11"

func TestHarnessFollowAndErrorsAgainstAFakeServer(t *testing.T) {
	fake := &fakeDeployment{index: 25, status: "running", changed: make(chan struct{})}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	saved := cfg
	cfg.addr, cfg.namespace = srv.URL, "default"
	defer func() { cfg = saved }()
	go func() {
		time.Sleep(300 * time.Millisecond)
		fake.mu.Lock()
		fake.index, fake.status = 31, "successful"
		close(fake.changed)
		fake.mu.Unlock()
	}()

	c := newConn(t, "token")
	start := time.Now()
	d := followDeployment(t, c, fakeDeploymentID, "fake deployment", terminalDeployment)
	if d.Status != "successful" || d.ModifyIndex != 31 {
		t.Fatalf("followed to %s", describe(d))
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Fatalf("the change did not wake the blocking query: %s", elapsed)
	}
	_, _, err := c.api.Jobs().Info("missing", nil)
	wantError(t, c, err, http.StatusNotFound, "job not found")
}
