package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/nomad/api"
)

// nomadOnlyKeys are the keys Nomad's own server writes that the official client's types do
// not declare, per type. They are the only keys a response may carry beyond the client's
// types; anything else Caravan emits is reported as an unknown key.
//
//   - Responses embed the server's QueryMeta/WriteMeta, whose index is "Index"; the client's
//     QueryMeta/WriteMeta call it LastIndex and fill it from the X-Nomad-Index header instead.
//   - The rest are server struct fields the api package never copied.
var nomadOnlyKeys = map[reflect.Type][]string{
	reflect.TypeFor[api.JobRegisterResponse]():      {"Index"},
	reflect.TypeFor[api.JobDeregisterResponse]():    {"Index", "VolumeEvalID", "VolumeEvalIndex"},
	reflect.TypeFor[api.JobVersionsResponse]():      {"Index"},
	reflect.TypeFor[api.JobStabilityResponse]():     {"Index"},
	reflect.TypeFor[api.JobPlanResponse]():          {"Index"},
	reflect.TypeFor[api.DeploymentUpdateResponse](): {"Index"},
	reflect.TypeFor[api.AllocStopResponse]():        {"Index"},
	reflect.TypeFor[api.GenericResponse]():          {"Index"},
	reflect.TypeFor[api.Deployment]():               {"EvalPriority"},
	reflect.TypeFor[api.DeploymentState]():          {"AutoPromote"},
	reflect.TypeFor[api.AllocationListStub]():       {"DesiredTransition"},
	reflect.TypeFor[api.Allocation]():               {"AllocStates", "SigningKeyID", "SharedResources"},
	reflect.TypeFor[api.AllocatedResources]():       {"TaskLifecycles"},
	reflect.TypeFor[api.TaskState]():                {"Paused"},
}

var (
	timeType        = reflect.TypeFor[time.Time]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
)

// strictProblems decodes body into out (a pointer) without loss, and returns what is wrong:
// keys the client's type lacks (every one, with its path), keys that match a field only
// case-insensitively (encoding/json would accept them; Nomad's keys are the Go field names
// verbatim), JSON that is not one value, and values of the wrong type. The final decode uses
// json.Decoder.DisallowUnknownFields on the body minus the nomadOnlyKeys.
func strictProblems(body []byte, out any) []string {
	var generic any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&generic); err != nil {
		return []string{fmt.Sprintf("the body is not JSON: %v; body %s", err, snippet(body))}
	}
	if _, err := dec.Token(); err == nil {
		return []string{fmt.Sprintf("the body has data after its JSON value: %s", snippet(body))}
	}
	var problems []string
	walkKeys(generic, reflect.TypeOf(out).Elem(), "$", &problems)
	stripped, err := json.Marshal(generic)
	if err != nil {
		return append(problems, fmt.Sprintf("re-encoding the body: %v", err))
	}
	sd := json.NewDecoder(bytes.NewReader(stripped))
	sd.DisallowUnknownFields()
	if err := sd.Decode(out); err != nil {
		problems = append(problems, fmt.Sprintf("does not decode strictly into %T: %v", out, err))
	}
	return problems
}

// walkKeys checks every object key against the Go type it decodes into, and removes the
// nomadOnlyKeys from the generic value so that the strict decode does not trip on them.
func walkKeys(v any, t reflect.Type, path string, problems *[]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil || t == timeType || reflect.PointerTo(t).Implements(unmarshalerType) {
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			*problems = append(*problems, fmt.Sprintf("%s: a JSON %s where %s expects an object", path, jsonKind(v), t))
			return
		}
		fields := jsonFields(t)
		allowed := nomadOnlyKeys[t]
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ft, ok := fields[k]
			switch {
			case ok:
				walkKeys(obj[k], ft, path+"."+k, problems)
			case slices.Contains(allowed, k):
				delete(obj, k)
			default:
				if name := caseFold(fields, k); name != "" {
					*problems = append(*problems, fmt.Sprintf("%s.%s: key differs in case from the client's field %s.%s (Nomad's keys are the Go field names verbatim)", path, k, t.Name(), name))
				} else {
					*problems = append(*problems, fmt.Sprintf("%s.%s: unknown key; the official client's %s.%s has no such field, so a Nomad client loses it", path, k, t.PkgPath()[strings.LastIndex(t.PkgPath(), "/")+1:], t.Name()))
				}
			}
		}
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			*problems = append(*problems, fmt.Sprintf("%s: a JSON %s where %s expects an object", path, jsonKind(v), t))
			return
		}
		for k, e := range obj {
			walkKeys(e, t.Elem(), path+"["+strconv.Quote(k)+"]", problems)
		}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return // []byte is a base64 string
		}
		arr, ok := v.([]any)
		if !ok {
			*problems = append(*problems, fmt.Sprintf("%s: a JSON %s where %s expects an array", path, jsonKind(v), t))
			return
		}
		for i, e := range arr {
			walkKeys(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i), problems)
		}
	}
}

// jsonFields maps each JSON key a struct type decodes to the field's type, following
// encoding/json: tags, "-", and embedded structs whose fields are promoted (a field declared
// directly wins over a promoted one of the same name).
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	var embedded []reflect.Type
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				embedded = append(embedded, et)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	for _, et := range embedded {
		for k, v := range jsonFields(et) {
			if _, direct := out[k]; !direct {
				out[k] = v
			}
		}
	}
	return out
}

func caseFold(fields map[string]reflect.Type, key string) string {
	for name := range fields {
		if strings.EqualFold(name, key) {
			return name
		}
	}
	return ""
}

func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	}
	return fmt.Sprintf("%T", v)
}

// strict decodes the conn's last response body strictly into a T and reports any problem.
func strict[T any](t *testing.T, c *conn, what string) (T, exchange) {
	t.Helper()
	ex := c.last()
	var out T
	for _, p := range strictProblems(ex.Body, &out) {
		t.Errorf("%s (%s %s): %s", what, ex.Method, ex.URL, p)
	}
	return out, ex
}

// strictRead is strict plus Nomad's read headers.
func strictRead[T any](t *testing.T, c *conn, what string) (T, exchange) {
	t.Helper()
	out, ex := strict[T](t, c, what)
	checkReadHeaders(t, what, ex)
	return out, ex
}

// strictWrite is strict plus Nomad's write headers.
func strictWrite[T any](t *testing.T, c *conn, what string) (T, exchange) {
	t.Helper()
	out, ex := strict[T](t, c, what)
	checkWriteHeaders(t, what, ex)
	return out, ex
}

// headerIndex parses X-Nomad-Index; 0 and an error message when it is missing or bad.
func headerIndex(ex exchange) (uint64, string) {
	v := ex.Header.Get("X-Nomad-Index")
	if v == "" {
		return 0, "X-Nomad-Index is missing"
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, fmt.Sprintf("X-Nomad-Index %q is not an unsigned integer", v)
	}
	if n == 0 {
		return 0, "X-Nomad-Index is 0 (Nomad's indexes start at 1; blocking clients treat 0 as 'no index')"
	}
	return n, ""
}

// checkReadHeaders: X-Nomad-Index, X-Nomad-LastContact, X-Nomad-KnownLeader, a JSON body.
func checkReadHeaders(t *testing.T, what string, ex exchange) {
	t.Helper()
	if _, msg := headerIndex(ex); msg != "" {
		t.Errorf("%s (%s %s): %s", what, ex.Method, ex.URL, msg)
	}
	if v := ex.Header.Get("X-Nomad-LastContact"); v == "" {
		t.Errorf("%s (%s %s): X-Nomad-LastContact is missing (Nomad sends milliseconds since leader contact, 0 on the leader)", what, ex.Method, ex.URL)
	} else if _, err := strconv.ParseUint(v, 10, 64); err != nil {
		t.Errorf("%s (%s %s): X-Nomad-LastContact %q is not an unsigned integer", what, ex.Method, ex.URL, v)
	}
	if v := ex.Header.Get("X-Nomad-KnownLeader"); v != "true" && v != "false" {
		t.Errorf("%s (%s %s): X-Nomad-KnownLeader = %q, want \"true\" or \"false\"", what, ex.Method, ex.URL, v)
	}
	checkJSONContentType(t, what, ex)
}

// checkWriteHeaders: X-Nomad-Index and a JSON body.
func checkWriteHeaders(t *testing.T, what string, ex exchange) {
	t.Helper()
	if _, msg := headerIndex(ex); msg != "" {
		t.Errorf("%s (%s %s): %s", what, ex.Method, ex.URL, msg)
	}
	checkJSONContentType(t, what, ex)
}

func checkJSONContentType(t *testing.T, what string, ex exchange) {
	t.Helper()
	if ct := ex.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s (%s %s): Content-Type %q, want application/json", what, ex.Method, ex.URL, ct)
	}
}

// checkList: list endpoints answer [] rather than null when empty.
func checkList(t *testing.T, what string, ex exchange) {
	t.Helper()
	if !bytes.HasPrefix(bytes.TrimSpace(ex.Body), []byte("[")) {
		t.Errorf("%s (%s %s): a list endpoint must answer a JSON array ([] when empty), got %s", what, ex.Method, ex.URL, snippet(ex.Body))
	}
}

// wantError checks that err is the HTTP error Nomad gives: the status, the exact plain-text
// body (compared raw, before the client trims it), and a text/plain Content-Type.
func wantError(t *testing.T, c *conn, err error, status int, body string) {
	t.Helper()
	wantErrorMatch(t, c, err, status, body, func(got string) bool { return got == body })
}

// wantErrorPrefix is wantError for messages whose tail Nomad fills with details.
func wantErrorPrefix(t *testing.T, c *conn, err error, status int, prefix string) {
	t.Helper()
	wantErrorMatch(t, c, err, status, prefix+"…", func(got string) bool { return strings.HasPrefix(got, prefix) })
}

// wantErrorContains is wantError for messages Nomad nests inside a multierror.
func wantErrorContains(t *testing.T, c *conn, err error, status int, part string) {
	t.Helper()
	wantErrorMatch(t, c, err, status, "…"+part+"…", func(got string) bool { return strings.Contains(got, part) })
}

func wantErrorMatch(t *testing.T, c *conn, err error, status int, describe string, ok func(string) bool) {
	t.Helper()
	if err == nil {
		t.Errorf("the request succeeded; want HTTP %d with body %q", status, describe)
		return
	}
	var ure api.UnexpectedResponseError
	if !errors.As(err, &ure) {
		t.Errorf("want HTTP %d with body %q; got a non-HTTP error: %v", status, describe, err)
		return
	}
	checkErrorExchange(t, c.last(), status, describe, ok)
}

// wantRawError is wantError for a raw exchange.
func wantRawError(t *testing.T, ex exchange, status int, body string) {
	t.Helper()
	checkErrorExchange(t, ex, status, body, func(got string) bool { return got == body })
}

func wantRawErrorPrefix(t *testing.T, ex exchange, status int, prefix string) {
	t.Helper()
	checkErrorExchange(t, ex, status, prefix+"…", func(got string) bool { return strings.HasPrefix(got, prefix) })
}

func checkErrorExchange(t *testing.T, ex exchange, status int, describe string, ok func(string) bool) {
	t.Helper()
	if ex.Status != status {
		t.Errorf("%s %s: HTTP %d, want %d; body %s", ex.Method, ex.URL, ex.Status, status, snippet(ex.Body))
	}
	if !ok(string(ex.Body)) {
		t.Errorf("%s %s: body %s, want Nomad's %q", ex.Method, ex.URL, snippet(ex.Body), describe)
	}
	if ct := ex.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("%s %s: error Content-Type %q, want text/plain (Nomad's errors are plain text, not JSON)", ex.Method, ex.URL, ct)
	}
}
