package store

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"regexp"
	"testing"

	"github.com/loket-id/loket/queue"
)

const testSSHKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGkqzbp7kGJT1hO2LNLyV1Tn9ZW3c6vJtKcNU4sVuRq1 loket@L2"

func TestCounters(t *testing.T) {
	s, _ := openTest(t)
	c, token, err := s.AddCounter(ctx, NewCounter{Code: "l2", Name: "Loket 2", Services: []string{"a", "B", "A"}, Printer: "lp-l2", SSHKey: testSSHKey})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^lkh_[0-9a-f]{64}$`).MatchString(token) {
		t.Fatalf("token %q", token)
	}
	if c.Code != "L2" || len(c.Services) != 2 || c.Services[0] != "A" || c.Services[1] != "B" {
		t.Fatalf("counter %+v", c)
	}
	got, err := s.AuthenticateCounter(ctx, token)
	if err != nil || got.Code != "L2" {
		t.Fatalf("authenticate: %+v %v", got, err)
	}
	for _, bad := range []string{"", "lkh_", token[:len(token)-1] + "0", "Bearer " + token, token + "0"} {
		if bad == token {
			continue
		}
		if _, err := s.AuthenticateCounter(ctx, bad); !errors.Is(err, ErrUnknownToken) {
			t.Errorf("token %q: %v", bad, err)
		}
	}
	if _, _, err := s.AddCounter(ctx, NewCounter{Code: "L2"}); !errors.Is(err, queue.ErrConflict) {
		t.Fatalf("a code twice: %v", err)
	}
	// Bad input: nothing written.
	for _, in := range []NewCounter{
		{Code: ""}, {Code: "L 2"}, {Code: "L2345678901234567"},
		{Code: "L3", Services: []string{"Z"}}, {Code: "L3", Services: []string{"A1"}},
		{Code: "L3", Name: "a\x1b[31m"}, {Code: "L3", SSHKey: "ssh-ed25519 notbase64!"},
		{Code: "L3", SSHKey: "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIGkqzbp7kGJT1hO2LNLyV1Tn9ZW3c6vJtKcNU4sVuRq1"},
	} {
		if _, _, err := s.AddCounter(ctx, in); !errors.Is(err, queue.ErrInvalid) {
			t.Errorf("%+v: %v", in, err)
		}
	}
	if cs, _ := s.Counters(ctx); len(cs) != 1 {
		t.Fatalf("%d counters after refusals", len(cs))
	}
	if c, err = s.SetCounterServices(ctx, "L2", []string{"C"}); err != nil || len(c.Services) != 1 || c.Services[0] != "C" {
		t.Fatalf("set services: %+v %v", c, err)
	}
	if _, err := s.SetCounterServices(ctx, "L9", nil); !errors.Is(err, queue.ErrNotFound) {
		t.Fatalf("unknown counter: %v", err)
	}
	// A new token replaces the old one.
	token2, err := s.NewCounterToken(ctx, "L2")
	if err != nil || token2 == token {
		t.Fatal(err)
	}
	if _, err := s.AuthenticateCounter(ctx, token); !errors.Is(err, ErrUnknownToken) {
		t.Fatalf("the old token: %v", err)
	}
	// Revoked: at once.
	if _, err := s.RevokeCounter(ctx, "L2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuthenticateCounter(ctx, token2); !errors.Is(err, ErrRevoked) {
		t.Fatalf("revoked token: %v", err)
	}
	mustCheck(t, s)
	// A revoked code can be registered again, with a new token.
	_, token3, err := s.AddCounter(ctx, NewCounter{Code: "L2"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuthenticateCounter(ctx, token3); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuthenticateCounter(ctx, token2); err == nil {
		t.Fatal("the revoked token works again")
	}
	mustCheck(t, s)
	// Counters are not events: nothing to sync.
	s.View(ctx, func(tx *Tx) error {
		if tx.LastSeq() != 0 {
			t.Fatalf("%d events", tx.LastSeq())
		}
		return nil
	})
}

func TestCounterBySSHKey(t *testing.T) {
	s, _ := openTest(t)
	const otherKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIM4HlzNwNSd3e4QqW1e9bxmPFk3tGw2m7KHRKGCVe0kT other"
	wire := func(key string) []byte { return sshKeyBody(key) }
	if _, err := s.CounterBySSHKey(ctx, wire(testSSHKey)); !errors.Is(err, ErrUnknownSSHKey) {
		t.Fatalf("no counters yet: %v", err)
	}
	// Registered with a comment and extra spaces: found by the key alone.
	if _, _, err := s.AddCounter(ctx, NewCounter{Code: "L2", SSHKey: "  " + testSSHKey + "  "}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.AddCounter(ctx, NewCounter{Code: "L3"}); err != nil { // no key
		t.Fatal(err)
	}
	c, err := s.CounterBySSHKey(ctx, wire(testSSHKey))
	if err != nil || c.Code != "L2" {
		t.Fatalf("registered key: %+v %v", c, err)
	}
	for _, w := range [][]byte{nil, {}, wire(otherKey), wire(testSSHKey)[:20]} {
		if _, err := s.CounterBySSHKey(ctx, w); !errors.Is(err, ErrUnknownSSHKey) {
			t.Errorf("key %x: %v", w, err)
		}
	}
	// One key, one counter.
	if _, _, err := s.AddCounter(ctx, NewCounter{Code: "L4", SSHKey: testSSHKey}); !errors.Is(err, queue.ErrConflict) {
		t.Fatalf("a key twice: %v", err)
	}
	// Revoked: refused, naming the counter.
	if _, err := s.RevokeCounter(ctx, "L2"); err != nil {
		t.Fatal(err)
	}
	if c, err := s.CounterBySSHKey(ctx, wire(testSSHKey)); !errors.Is(err, ErrRevoked) || c.Code != "L2" {
		t.Fatalf("revoked: %+v %v", c, err)
	}
	// The key may then go to another counter, which it now opens.
	if _, _, err := s.AddCounter(ctx, NewCounter{Code: "L4", SSHKey: testSSHKey}); err != nil {
		t.Fatal(err)
	}
	if c, err := s.CounterBySSHKey(ctx, wire(testSSHKey)); err != nil || c.Code != "L4" {
		t.Fatalf("moved key: %+v %v", c, err)
	}
	mustCheck(t, s)
}

// fakeEd25519Key is an authorized_keys line of an Ed25519 public key whose
// 32 bytes are n's (its wire form is all the store looks at).
func fakeEd25519Key(n int) string {
	var w []byte
	w = binary.BigEndian.AppendUint32(w, uint32(len("ssh-ed25519")))
	w = append(w, "ssh-ed25519"...)
	w = binary.BigEndian.AppendUint32(w, 32)
	k := make([]byte, 32)
	binary.BigEndian.PutUint64(k, uint64(n)+1)
	w = append(w, k...)
	return "ssh-ed25519 " + base64.StdEncoding.EncodeToString(w)
}

// BenchmarkCounterLookup: finding a counter by its SSH key (a scan of the
// counters: an SSH connection's authentication) beside finding it by its
// token (an index: each HTTP call's), with 50 counters registered.
func BenchmarkCounterLookup(b *testing.B) {
	s, _ := openTest(b)
	const n = 50
	var token string
	for i := range n {
		var err error
		if _, token, err = s.AddCounter(ctx, NewCounter{Code: fmt.Sprintf("L%d", i), SSHKey: fakeEd25519Key(i)}); err != nil {
			b.Fatal(err)
		}
	}
	last := sshKeyBody(fakeEd25519Key(n - 1))
	b.Run("token", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.AuthenticateCounter(ctx, token); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ssh-key", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.CounterBySSHKey(ctx, last); err != nil {
				b.Fatal(err)
			}
		}
	})
}
