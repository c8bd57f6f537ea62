package conformance

// Nomad's own job JSON, registered as users move it (issue 11 §4): the sample payload of the
// Create Job section of Nomad's Jobs HTTP API page, and a service job as `nomad job inspect`
// prints it, with every block Nomad fills. Both are committed under test/fixtures/nomad-json;
// the unit tests check that `caravan convert` reads them, these tests that the API runs them.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/nomad/api"
)

const fixtureDir = "../fixtures/nomad-json"

// inspectFixture is the file inspectedServiceJob is written to.
const inspectFixture = "job-inspect-service.json"

// inspectedServiceJob is a service job as `nomad job inspect` prints it. The job is what a user
// writes (a group with a port, a service with an HTTP check, one docker task), canonicalized by
// the Go client as it is before it goes to the server, and then given what the server adds
// when it stores the job: its state, its indexes and the default workload identity.
func inspectedServiceJob() *api.Job {
	job := api.NewServiceJob("inspected", "inspected", api.GlobalRegion, api.JobDefaultPriority)
	job.Datacenters = []string{"dc1", "dc2"}
	job.Meta = map[string]string{"team": "payments"}
	// Empty lists, as clients that build jobs field by field send them.
	job.Constraints = []*api.Constraint{}
	job.Affinities = []*api.Affinity{}
	job.Spreads = []*api.Spread{}
	job.Update = &api.UpdateStrategy{MaxParallel: new(1), Canary: new(1), AutoPromote: new(true), AutoRevert: new(true), MinHealthyTime: new(2 * time.Second)}

	group := api.NewTaskGroup("web", 2)
	group.Networks = []*api.NetworkResource{{DynamicPorts: []api.Port{{Label: "http", To: 8080}}}}
	group.Services = []*api.Service{{
		Name:      "inspected-web",
		PortLabel: "http",
		Provider:  "nomad",
		Tags:      []string{"v1"},
		Checks:    []api.ServiceCheck{{Name: "alive", Type: "http", Path: "/health", Interval: 10 * time.Second, Timeout: 2 * time.Second}},
	}}
	task := api.NewTask("app", "docker").
		SetConfig("image", "nginx:1.27").
		SetConfig("ports", []string{"http"}).
		Require(&api.Resources{CPU: new(200), MemoryMB: new(128)})
	task.Env = map[string]string{"LISTEN": ":8080"}
	group.AddTask(task)
	job.AddTaskGroup(group)

	job.Canonicalize()

	// What the server adds when it stores the job. Its own canonicalization gives each task the
	// default workload identity and each port the "default" host network; the job-level update
	// keeps only stagger and max_parallel (the groups carry the rest), as a Go value, so the
	// other fields print as zeros.
	task.Identity = &api.WorkloadIdentity{Name: "default", Audience: []string{"nomadproject.io"}}
	group.Networks[0].DynamicPorts[0].HostNetwork = "default"
	job.Update = &api.UpdateStrategy{
		Stagger: job.Update.Stagger, MaxParallel: job.Update.MaxParallel,
		HealthCheck: new(""), MinHealthyTime: new(time.Duration(0)), HealthyDeadline: new(time.Duration(0)),
		ProgressDeadline: new(time.Duration(0)), AutoRevert: new(false), AutoPromote: new(false), Canary: new(0),
	}
	job.NodePool = new("default")
	job.DispatchIdempotencyToken = new("")
	job.NomadTokenID = new("4f0e7c8a-2f5b-4c61-9d0e-3a1b2c3d4e5f")
	job.Status = new("running")
	job.Stable = new(true)
	job.Version = new(uint64(3))
	job.SubmitTime = new(int64(1_760_000_000_000_000_000))
	job.CreateIndex = new(uint64(11))
	job.JobModifyIndex = new(uint64(52))
	job.ModifyIndex = new(uint64(57))
	return job
}

// inspectJSON is `nomad job inspect`'s output for job: {"Job": …}, indented as the CLI prints it.
func inspectJSON(job *api.Job) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "    ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]*api.Job{"Job": job}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// TestNomadJSONFixtureIsTheGoClients: the committed fixture is what the Go code above produces.
// CARAVAN_WRITE_FIXTURES=1 writes it instead. Needs no server.
func TestNomadJSONFixtureIsTheGoClients(t *testing.T) {
	want, err := inspectJSON(inspectedServiceJob())
	if err != nil {
		t.Fatalf("encoding the job: %v", err)
	}
	path := filepath.Join(fixtureDir, inspectFixture)
	if os.Getenv("CARAVAN_WRITE_FIXTURES") == "1" {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatalf("writing %s: %v", path, err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading %s: %v (CARAVAN_WRITE_FIXTURES=1 writes it)", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is not what inspectedServiceJob produces with this api module; run the test with CARAVAN_WRITE_FIXTURES=1 and commit the result", path)
	}
	// The fixture is a job the Go client reads back.
	var decoded struct{ Job *api.Job }
	if p := strictProblems(got, &decoded); len(p) > 0 {
		t.Fatalf("the fixture does not decode strictly into api.Job: %v", p)
	}
}

// nomadJSONCase is one fixture and what registering it must answer.
type nomadJSONCase struct {
	file string
	// warnings are texts the register response's Warnings must contain: each non-default value
	// Caravan leaves out.
	warnings []string
	// running is how many allocations must run.
	running int
	// check looks at the job as Caravan shows it.
	check func(t *testing.T, j *api.Job)
}

var nomadJSONCases = []nomadJSONCase{
	{
		file:     "api-docs-create-job.json",
		warnings: []string{"mbits = 10 is ignored", "task network resources have been deprecated", "meta = "},
		running:  1,
		check: func(t *testing.T, j *api.Job) {
			// The task's network, deprecated in Nomad, is the group's: port_map gave its container port.
			tg := j.TaskGroups[0]
			if len(tg.Networks) != 1 || len(tg.Networks[0].DynamicPorts) != 1 || tg.Networks[0].DynamicPorts[0].Label != "db" || tg.Networks[0].DynamicPorts[0].To != 6379 {
				t.Errorf("TaskGroups[0].Networks = %s, want the dynamic port db to 6379", describe(tg.Networks))
			}
			wantPtr(t, "Update.HealthyDeadline", tg.Update.HealthyDeadline, 3*time.Minute)
		},
	},
	{
		file:    inspectFixture,
		running: 2,
		check: func(t *testing.T, j *api.Job) {
			written := inspectedServiceJob().TaskGroups[0]
			got := j.TaskGroups[0]
			if describe(got.Update) != describe(written.Update) {
				t.Errorf("TaskGroups[0].Update = %s, want the inspected job's %s", describe(got.Update), describe(written.Update))
			}
			want(t, "image", jobImage(j), "nginx:1.27")
			want(t, "Meta", fmt.Sprint(j.Meta), "map[team:payments]")
		},
	},
}

// TestNomadJSON: each fixture, POSTed as it is to /v1/jobs, registers, shows as a job and runs.
func TestNomadJSON(t *testing.T) {
	c := server(t)
	for _, tc := range nomadJSONCases {
		t.Run(strings.TrimSuffix(tc.file, ".json"), func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(fixtureDir, tc.file))
			if err != nil {
				t.Fatalf("reading the fixture: %v", err)
			}
			var payload struct{ Job struct{ ID string } }
			if err := json.Unmarshal(body, &payload); err != nil || payload.Job.ID == "" {
				t.Fatalf("the fixture has no Job.ID: %v", err)
			}
			id := payload.Job.ID
			cleanupJob(c, id)
			f := newFlow(t)

			f.step("Register", func(t *testing.T) {
				ex := c.raw(t, http.MethodPost, "/v1/jobs", nil, string(body), tokenHeader(c.token))
				if ex.Status != http.StatusOK {
					t.Fatalf("POST /v1/jobs: %s", ex)
				}
				var resp api.JobRegisterResponse
				if p := strictProblems(ex.Body, &resp); len(p) > 0 {
					t.Errorf("register response: %v", p)
				}
				if resp.EvalID == "" || resp.JobModifyIndex == 0 {
					t.Errorf("register response %s: want an EvalID and a JobModifyIndex", snippet(ex.Body))
				}
				for _, w := range tc.warnings {
					if !strings.Contains(resp.Warnings, w) {
						t.Errorf("Warnings = %q, want it to mention %q", resp.Warnings, w)
					}
				}
				if len(tc.warnings) == 0 && resp.Warnings != "" {
					t.Errorf("Warnings = %q, want none: every field left out is at its Nomad default", resp.Warnings)
				}
			})

			f.step("Info", func(t *testing.T) {
				j, _, err := c.api.Jobs().Info(id, nil)
				if err != nil {
					t.Fatalf("Jobs().Info(%s): %v", id, err)
				}
				strictRead[api.Job](t, c, "GET /v1/job/:id")
				wantPtr(t, "job.ID", j.ID, id)
				wantPtr(t, "job.Version", j.Version, uint64(0))
				tc.check(t, j)
			})

			f.step("Runs", func(t *testing.T) {
				followJobAllocs(t, c, id, fmt.Sprintf("%d running allocations of %s", tc.running, id), func(allocs []*api.AllocationListStub) bool {
					n := 0
					for _, a := range liveAllocs(allocs) {
						if a.ClientStatus == api.AllocClientStatusRunning {
							n++
						}
					}
					return n == tc.running
				})
				followJob(t, c, id, "job "+id+" running", func(j *api.Job) bool { return val(j.Status) == "running" })
			})

			f.step("Deployment", func(t *testing.T) {
				untilSuccessful(t, c, deploymentOf(t, c, id, 0).ID)
			})
		})
	}
}
