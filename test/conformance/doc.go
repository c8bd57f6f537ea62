// Package conformance is Caravan's Nomad HTTP API conformance suite.
//
// The tests drive a running Caravan API with HashiCorp's official Go client,
// github.com/hashicorp/nomad/api, and check every response twice: once through
// the client (what Nomad users' tools see) and once strictly, from the raw JSON,
// so that no key Caravan emits is silently dropped by the client's types.
//
// Everything lives in the *_test.go files. Run the suite with
// scripts/conformance.sh, or see README.md for running it by hand.
package conformance
