package hubclient_test

import (
	"errors"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/loket-id/loket/hub"
	"github.com/loket-id/loket/hub/hubclient"
	"github.com/loket-id/loket/hub/hubtest"
	"github.com/loket-id/loket/internal/faultproxy"
	"github.com/loket-id/loket/queue"
)

// TestFaultyNetwork: a counter's actions go through a proxy that breaks a
// third of the connections. The counter sends an action again, with its
// key, whenever its outcome is unknown (as office.Queue asks): every
// action is applied exactly once.
func TestFaultyNetwork(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewSource(seed))
	h := hubtest.Start(t, hub.Options{})
	p := faultproxy.New(t, h.Addr, 0.35, seed)
	c := newClient(t, p.URL(), h.AddCounter(t, "L1"), func(o *hubclient.Options) {
		o.DisableKeepAlives = true
		o.RetryDelay = 5 * time.Millisecond
	})
	by := queue.Actor{Clerk: "Sari"}
	// keyed runs one action until its outcome is known, always with the
	// same key; it returns the number of tries.
	keyed := func(what string, do func(key string) error) (error, int) {
		key := ulid.Make().String()
		for try := 1; ; try++ {
			err := do(key)
			if !errors.Is(err, hubclient.ErrNoAnswer) && !errors.Is(err, hubclient.ErrUnreachable) {
				return err, try
			}
			if try == 50 {
				t.Fatalf("%s: no answer after %d tries: %v", what, try, err)
			}
		}
	}
	var registered, calls, serves, unknown int
	var called []string
	for i := 0; i < *faultOps; i++ {
		switch op := rng.Intn(10); {
		case op < 4:
			in := walkIn(rng, []string{"A", "B"}[rng.Intn(2)])
			err, tries := keyed("register", func(key string) error {
				_, _, err := c.RegisterOnce(bg, key, in, by)
				return err
			})
			if err != nil {
				t.Fatalf("register: %v", err)
			}
			registered++
			unknown += tries - 1
		case op < 8:
			var r queue.Request
			err, tries := keyed("call", func(key string) error {
				var err error
				r, _, err = c.CallNextOnce(bg, key, nil, by)
				return err
			})
			unknown += tries - 1
			if errors.Is(err, queue.ErrQueueEmpty) {
				continue
			}
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			calls++
			called = append(called, r.ID)
		default:
			if len(called) == 0 {
				continue
			}
			id := called[0]
			called = called[1:]
			err, tries := keyed("serve", func(key string) error {
				_, _, err := c.ActOnce(bg, key, id, queue.ActServe, "", by)
				return err
			})
			if err != nil {
				t.Fatalf("serve: %v", err)
			}
			serves++
			unknown += tries - 1
		}
	}
	rs, err := h.Store.DayQueue(bg, "")
	if err != nil || len(rs) != registered {
		t.Fatalf("%d requests at the hub, %d registered: %v", len(rs), registered, err)
	}
	var callsSeen, servesSeen int
	for _, r := range rs {
		if r.Calls > 1 {
			t.Fatalf("%s called %d times", r.Ticket, r.Calls)
		}
		callsSeen += r.Calls
		if r.ServingAt != nil {
			servesSeen++
		}
	}
	if callsSeen != calls || servesSeen != serves {
		t.Fatalf("calls %d (made %d), serves %d (made %d)", callsSeen, calls, servesSeen, serves)
	}
	if n := lastSeq(t, h.Store); n != uint64(registered+calls+serves) {
		t.Fatalf("%d events for %d actions", n, registered+calls+serves)
	}
	mustCheck(t, h.Store)
	t.Logf("%d registrations, %d calls, %d serves; %d answers unknown and sent again; faults %v", registered, calls, serves, unknown, faultKinds(p))
	if unknown == 0 {
		t.Fatal(fmt.Sprint("no fault made an answer unknown: the test tested nothing ", faultKinds(p)))
	}
}

func faultKinds(p *faultproxy.Proxy) map[string]int { _, _, k := p.Stats(); return k }
