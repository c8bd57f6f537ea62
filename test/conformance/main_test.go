package conformance

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/nomad/api"
)

// config is read from the environment once, in TestMain.
type config struct {
	addr        string // NOMAD_ADDR: Caravan's Nomad-compatible API, e.g. http://127.0.0.1:4646
	token       string // NOMAD_TOKEN: a Kubernetes bearer token with rights in the namespace
	namespace   string // CARAVAN_CONFORMANCE_NAMESPACE: Kubernetes namespace = Nomad namespace
	unprivToken string // CARAVAN_UNPRIVILEGED_TOKEN: a valid token with no RBAC rights
	keep        bool   // CARAVAN_CONFORMANCE_KEEP=1: leave the jobs the tests create
}

var (
	cfg config
	// skipReason is set when there is no server to test; every server test skips with it.
	skipReason string
)

func TestMain(m *testing.M) {
	cfg = config{
		addr:        strings.TrimRight(os.Getenv("NOMAD_ADDR"), "/"),
		token:       os.Getenv("NOMAD_TOKEN"),
		namespace:   os.Getenv("CARAVAN_CONFORMANCE_NAMESPACE"),
		unprivToken: os.Getenv("CARAVAN_UNPRIVILEGED_TOKEN"),
		keep:        os.Getenv("CARAVAN_CONFORMANCE_KEEP") == "1",
	}
	if cfg.namespace == "" {
		cfg.namespace = api.DefaultNamespace
	}
	if cfg.addr == "" {
		skipReason = "NOMAD_ADDR is not set, so there is no Caravan API to test: every server test is skipped " +
			"(set NOMAD_ADDR, NOMAD_TOKEN and CARAVAN_CONFORMANCE_NAMESPACE; see test/conformance/README.md)"
		fmt.Fprintln(os.Stderr, "conformance: "+skipReason)
	} else {
		fmt.Fprintf(os.Stderr, "conformance: Caravan API %s, namespace %q, NOMAD_TOKEN %s, CARAVAN_UNPRIVILEGED_TOKEN %s\n",
			cfg.addr, cfg.namespace, setOrNot(cfg.token), setOrNot(cfg.unprivToken))
		if err := ping(); err != nil {
			fmt.Fprintf(os.Stderr, "conformance: cannot reach the Caravan API at %s: %v\n", cfg.addr, err)
			os.Exit(1)
		}
	}
	os.Exit(m.Run())
}

func setOrNot(s string) string {
	if s == "" {
		return "unset"
	}
	return "set"
}

// ping succeeds on any HTTP answer: whether that answer is right is for the tests to say.
func ping() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, cfg.addr+"/v1/jobs?namespace="+url.QueryEscape(cfg.namespace), nil)
	if err != nil {
		return err
	}
	if cfg.token != "" {
		req.Header.Set("X-Nomad-Token", cfg.token)
	}
	resp, err := baseTransport().RoundTrip(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

// server returns a connection with NOMAD_TOKEN, or skips the test when there is no server.
func server(t *testing.T) *conn {
	t.Helper()
	if skipReason != "" {
		t.Skip(skipReason)
	}
	return newConn(t, cfg.token)
}

// exchange is one HTTP request and its response, exactly as it went over the wire.
type exchange struct {
	Method  string
	URL     string
	Status  int
	Header  http.Header
	Body    []byte // decompressed when the server gzipped it
	Elapsed time.Duration
}

func (e exchange) String() string {
	return fmt.Sprintf("%s %s → HTTP %d %s", e.Method, e.URL, e.Status, snippet(e.Body))
}

// recorder is the official client's transport: it keeps the last exchange so that every
// response the client decoded leniently can also be decoded strictly.
type recorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	last exchange
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	body := raw
	if resp.Header.Get("Content-Encoding") == "gzip" && len(raw) > 0 {
		if zr, zerr := gzip.NewReader(bytes.NewReader(raw)); zerr == nil {
			if plain, rerr := io.ReadAll(zr); rerr == nil {
				body = plain
			}
		}
	}
	ex := exchange{Method: req.Method, URL: req.URL.RequestURI(), Status: resp.StatusCode, Header: resp.Header.Clone(), Body: body, Elapsed: time.Since(start)}
	r.mu.Lock()
	r.last = ex
	r.mu.Unlock()
	return resp, nil
}

// conn is the official client plus the raw view of its traffic. One conn per goroutine.
type conn struct {
	api   *api.Client
	rec   *recorder
	token string
	owner *testing.T // the test that made the conn: jobs are purged when it ends
	// cleanups are the jobs already scheduled for purging.
	cleanups map[string]bool
}

func baseTransport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	tr.ForceAttemptHTTP2 = false
	return tr
}

// newConn builds an official client for NOMAD_ADDR in the test namespace. token "" sends no token.
func newConn(t *testing.T, token string) *conn {
	t.Helper()
	tr := baseTransport()
	hc := &http.Client{Transport: tr}
	// NOMAD_CACERT, NOMAD_SKIP_VERIFY, … as the Nomad CLI reads them.
	if err := api.ConfigureTLS(hc, api.DefaultConfig().TLSConfig); err != nil {
		t.Fatalf("TLS settings from NOMAD_* variables: %v", err)
	}
	rec := &recorder{base: tr}
	hc.Transport = rec
	c, err := api.NewClient(&api.Config{Address: cfg.addr, Namespace: cfg.namespace, SecretID: token, HttpClient: hc})
	if err != nil {
		t.Fatalf("api.NewClient: %v", err)
	}
	t.Cleanup(c.Close)
	return &conn{api: c, rec: rec, token: token, owner: t}
}

// last is the exchange of the client's most recent request on this conn.
func (c *conn) last() exchange {
	c.rec.mu.Lock()
	defer c.rec.mu.Unlock()
	return c.rec.last
}

// raw sends a request outside the official client: for error paths and headers the client
// cannot express. headers may set X-Nomad-Token / Authorization; the conn's token is not added.
func (c *conn) raw(t *testing.T, method, path string, query url.Values, body any, headers map[string]string) exchange {
	t.Helper()
	if query == nil {
		query = url.Values{}
	}
	if query.Get("namespace") == "" {
		query.Set("namespace", cfg.namespace)
	}
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("encoding request body: %v", err)
		}
		rd = bytes.NewReader(buf)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	u := cfg.addr + path + "?" + query.Encode()
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		t.Fatalf("building %s %s: %v", method, path, err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	start := time.Now()
	resp, err := c.rec.base.RoundTrip(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return exchange{Method: method, URL: req.URL.RequestURI(), Status: resp.StatusCode, Header: resp.Header, Body: data, Elapsed: time.Since(start)}
}

// tokenHeader is the header the official client sends for token.
func tokenHeader(token string) map[string]string {
	if token == "" {
		return nil
	}
	return map[string]string{"X-Nomad-Token": token}
}

// uniqueID names a job the tests own: lowercase, short enough for Pod names and label values.
func uniqueID(family string) string {
	b := make([]byte, 3)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return "cf-" + family + "-" + hex.EncodeToString(b)
}

func snippet(b []byte) string {
	s := string(b)
	if len(s) > 600 {
		s = s[:600] + "…"
	}
	return fmt.Sprintf("%q", s)
}

// flow runs the subtests of a family in order. A step builds state that later subtests need:
// when it does not complete (t.Fatal, t.Skip), every later subtest skips and names it, so a
// server that supports only part of a family shows exactly where support stops. A step that
// completes with errors (t.Error: a wrong description, an unknown key) is reported and the flow
// goes on. A check needs the state the steps built but builds none: its failure stops nothing.
type flow struct {
	t       *testing.T
	blocked string
}

func newFlow(t *testing.T) *flow { return &flow{t: t} }

func (f *flow) step(name string, fn func(t *testing.T)) {
	if f.skipped(name) {
		return
	}
	completed := false
	f.t.Run(name, func(t *testing.T) {
		fn(t)
		completed = true
	})
	if !completed {
		f.blocked = name
	}
}

func (f *flow) check(name string, fn func(t *testing.T)) {
	if f.skipped(name) {
		return
	}
	f.t.Run(name, fn)
}

func (f *flow) skipped(name string) bool {
	if f.blocked == "" {
		return false
	}
	blocked := f.blocked
	f.t.Run(name, func(t *testing.T) {
		t.Skipf("skipped: it needs step %q, which did not complete", blocked)
	})
	return true
}
