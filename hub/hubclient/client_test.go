package hubclient_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/loket-id/loket/hub"
	"github.com/loket-id/loket/hub/hubclient"
	"github.com/loket-id/loket/hub/hubtest"
	"github.com/loket-id/loket/office"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/tui"
)

// A client is what a counter's commands and screens work on.
var (
	_ office.Queue = (*hubclient.Client)(nil)
	_ tui.Backend  = (*hubclient.Client)(nil)
)

var (
	seedFlag = flag.Int64("hub.seed", 0, "seed of the random tests; 0: from the clock")
	rounds   = flag.Int("hub.rounds", 20, "rounds of the concurrent counters test")
	faultOps = flag.Int("hub.faultops", 150, "actions sent through the faulty proxy")
	bg       = context.Background()
)

func testSeed(t testing.TB) int64 {
	t.Helper()
	seed := *seedFlag
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	t.Logf("seed %d (replay: go test ./hub/hubclient -run '^%s$' -hub.seed=%d)", seed, t.Name(), seed)
	return seed
}

func newClient(t testing.TB, url, token string, opt ...func(*hubclient.Options)) *hubclient.Client {
	t.Helper()
	o := hubclient.Options{URL: url, Token: token, Logger: hubtest.Logger(), MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}
	for _, f := range opt {
		f(&o)
	}
	c, err := hubclient.New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func started(t testing.TB, c *hubclient.Client) *hubclient.Client {
	t.Helper()
	c.Start(bg)
	waitFor(t, "the cache to sync", func() bool { return c.Status().Synced && c.Online() })
	return c
}

// waitFor polls cond; it fails only after a long time, so a slow machine
// makes no false failure (speed is measured by the benchmarks).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(2 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func lastSeq(t testing.TB, st *store.Store) uint64 {
	t.Helper()
	var n uint64
	st.View(bg, func(tx *store.Tx) error { n = tx.LastSeq(); return nil })
	return n
}

func mustCheck(t testing.TB, st *store.Store) {
	t.Helper()
	rep, err := st.Check(bg)
	if err != nil || !rep.OK() {
		t.Fatalf("check: %v %v", err, rep.Problems)
	}
}

var niks = []string{"3201014107900001", "3173015203850002", "3578100101700003"}

func walkIn(rng *rand.Rand, service string) queue.NewRequest {
	prio := queue.PriorityNone
	if rng.Intn(5) == 0 {
		prio = queue.PriorityElderly
	}
	return queue.NewRequest{Service: service, Name: fmt.Sprintf("Pemohon %d", rng.Intn(1e6)), NIK: niks[rng.Intn(len(niks))], Priority: prio}
}

// TestCountersAtOnce: three counters register and call at once, many
// rounds: every request is called exactly once, every ticket is unique,
// the log is contiguous and the store checks clean.
func TestCountersAtOnce(t *testing.T) {
	seed := testSeed(t)
	h := hubtest.Start(t, hub.Options{})
	codes := []string{"L1", "L2", "L3"}
	services := [][]string{{"A", "B"}, {"B", "C"}, {"A", "C"}}
	clients := make([]*hubclient.Client, 3)
	for i := range clients {
		clients[i] = started(t, newClient(t, h.URL, h.AddCounter(t, codes[i], services[i]...)))
	}
	var mu sync.Mutex
	registered := map[string]string{} // id -> ticket
	called := map[string]string{}     // id -> counter
	for round := 0; round < *rounds; round++ {
		var wg sync.WaitGroup
		for i, c := range clients {
			wg.Add(1)
			rng := rand.New(rand.NewSource(seed + int64(round*10+i)))
			go func() {
				defer wg.Done()
				by := queue.Actor{Counter: "FORGED", Clerk: codes[i]}
				for range 1 + rng.Intn(3) {
					svc := services[i][rng.Intn(2)]
					r, err := c.Register(bg, walkIn(rng, svc), by)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					registered[r.ID] = r.Ticket
					mu.Unlock()
				}
				for range rng.Intn(4) {
					r, err := c.CallNext(bg, nil, by)
					if errors.Is(err, queue.ErrQueueEmpty) {
						continue
					}
					if err != nil {
						t.Error(err)
						return
					}
					if r.Counter != codes[i] || !contains(services[i], r.Service) {
						t.Errorf("%s called %s of service %s as %s", codes[i], r.Ticket, r.Service, r.Counter)
					}
					mu.Lock()
					if prev, ok := called[r.ID]; ok {
						t.Errorf("%s called by %s and %s", r.Ticket, prev, codes[i])
					}
					called[r.ID] = codes[i]
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
	}
	// Empty the lines: all three call until nobody is waiting.
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				r, err := c.CallNext(bg, []string{"A", "B", "C"}, queue.Actor{Clerk: codes[i]})
				if errors.Is(err, queue.ErrQueueEmpty) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if prev, ok := called[r.ID]; ok {
					t.Errorf("%s called by %s and %s", r.Ticket, prev, codes[i])
				}
				called[r.ID] = codes[i]
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(called) != len(registered) {
		t.Fatalf("%d registered, %d called", len(registered), len(called))
	}
	tickets := map[string]bool{}
	for _, tk := range registered {
		if tickets[tk] {
			t.Fatalf("ticket %s twice", tk)
		}
		tickets[tk] = true
	}
	// Every request's log: created, then called once.
	rs, err := h.Store.DayQueue(bg, "")
	if err != nil || len(rs) != len(registered) {
		t.Fatalf("%d requests at the hub, %d registered: %v", len(rs), len(registered), err)
	}
	for _, r := range rs {
		if r.Status != queue.StatusCalled || r.Calls != 1 || len(r.EventSeqs) != 2 || r.Counter != called[r.ID] {
			t.Fatalf("%s: %s, %d calls, %d events, counter %s (called by %s)", r.Ticket, r.Status, r.Calls, len(r.EventSeqs), r.Counter, called[r.ID])
		}
	}
	if n := lastSeq(t, h.Store); n != uint64(2*len(registered)) {
		t.Fatalf("%d events for %d requests", n, len(registered))
	}
	mustCheck(t, h.Store)
	// Each cache holds the same queue as the hub.
	for _, c := range clients {
		waitFor(t, "the caches to catch up", func() bool { return c.Status().LastSeq == lastSeq(t, h.Store) })
		got, _ := c.DayQueue(bg, "")
		if len(got) != len(rs) {
			t.Fatalf("cache %d, hub %d", len(got), len(rs))
		}
		for i := range got {
			if got[i].ID != rs[i].ID || got[i].Status != rs[i].Status || got[i].Counter != rs[i].Counter {
				t.Fatalf("cache and hub differ at %d: %+v / %+v", i, got[i], rs[i])
			}
		}
	}
	t.Logf("%d requests registered and called by three counters", len(registered))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestErrorsAcrossTheWire: the queue's errors come back as themselves.
func TestErrorsAcrossTheWire(t *testing.T) {
	h := hubtest.Start(t, hub.Options{})
	c := newClient(t, h.URL, h.AddCounter(t, "L1"))
	by := queue.Actor{Clerk: "Sari"}
	bad := queue.NewRequest{Service: "A", Name: "Siti", NIK: "12345"}
	_, err := c.Register(bg, bad, by)
	var fe *queue.FieldError
	if !errors.As(err, &fe) || fe.Field != "nik" || fe.Code != "nik.digits" || !errors.Is(err, queue.ErrInvalid) {
		t.Fatalf("bad NIK: %#v", err)
	}
	_, local := queue.NewRequest{Service: "A", Name: "Siti", NIK: "12345"}.Validate()
	if err.Error() != local.Error() {
		t.Fatalf("message %q, locally %q", err, local)
	}
	if _, err := c.CallNext(bg, nil, by); !errors.Is(err, queue.ErrQueueEmpty) {
		t.Fatalf("nobody waiting: %v", err)
	}
	if _, err := c.Act(bg, "A-009", queue.ActServe, "", by); !errors.Is(err, queue.ErrNotFound) {
		t.Fatalf("unknown ticket: %v", err)
	}
	if _, err := c.Register(bg, queue.NewRequest{Service: "A", Name: "Siti", NIK: niks[0]}, by); err != nil {
		t.Fatal(err)
	}
	_, err = c.Act(bg, "A-001", queue.ActDone, "", by)
	var te *queue.TransitionError
	if !errors.As(err, &te) || te.Status != queue.StatusWaiting || te.Action != queue.ActDone || !errors.Is(err, queue.ErrInvalid) {
		t.Fatalf("done while waiting: %#v", err)
	}
	if _, err := c.Act(bg, "", queue.ActServe, "", by); !errors.Is(err, queue.ErrInvalid) {
		t.Fatalf("empty ref: %v", err)
	}
	if _, _, err := c.ReplaceCatalogOnce(bg, "", queue.DefaultCatalog(), by); !errors.Is(err, hubclient.ErrForbidden) {
		t.Fatalf("catalog: %v", err)
	}
	// A key reused with another payload.
	key := "01KB0000000000000000000000"
	if _, _, err := c.RegisterOnce(bg, key, queue.NewRequest{Service: "B", Name: "Budi", NIK: niks[1]}, by); err != nil {
		t.Fatal(err)
	}
	r, again, err := c.RegisterOnce(bg, key, queue.NewRequest{Service: "B", Name: "Budi", NIK: niks[1]}, by)
	if err != nil || !again || r.Ticket != "B-001" {
		t.Fatalf("same key: %v %v %s", err, again, r.Ticket)
	}
	_, _, err = c.RegisterOnce(bg, key, queue.NewRequest{Service: "B", Name: "Wati", NIK: niks[1]}, by)
	if !errors.Is(err, store.ErrKeyReused) || !errors.Is(err, queue.ErrConflict) {
		t.Fatalf("same key, another payload: %v", err)
	}
	// Revoked: refused at once.
	if _, err := h.Store.RevokeCounter(bg, "L1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Register(bg, queue.NewRequest{Service: "A", Name: "Siti", NIK: niks[0]}, by); !errors.Is(err, hubclient.ErrUnauthorized) {
		t.Fatalf("revoked: %v", err)
	}
	if n := lastSeq(t, h.Store); n != 2 {
		t.Fatalf("%d events", n)
	}
}

// TestReadsThroughTheHub: the reads answer what the store does.
func TestReadsThroughTheHub(t *testing.T) {
	h := hubtest.Start(t, hub.Options{})
	c := newClient(t, h.URL, h.AddCounter(t, "L1"))
	hello, err := c.Connect(bg)
	if err != nil || hello.StationID != h.Store.StationID() || c.Epoch() != h.Store.Epoch() || c.Today() != h.Store.Today() {
		t.Fatalf("connect: %+v %v", hello, err)
	}
	if _, off := c.Now().Zone(); off != 7*3600 {
		t.Fatalf("zone offset %d", off)
	}
	by := queue.Actor{Clerk: "Sari"}
	a, _ := c.Register(bg, queue.NewRequest{Service: "A", Name: "Siti Aminah", NIK: niks[0]}, by)
	c.Register(bg, queue.NewRequest{Service: "B", Name: "Budi Santoso", NIK: niks[1]}, by)
	c.Act(bg, a.TrackingCode, queue.ActCall, "", by)
	got, err := c.Get(bg, "a1")
	if err != nil || got.ID != a.ID || got.Status != queue.StatusCalled {
		t.Fatalf("get: %+v %v", got, err)
	}
	r, hist, err := c.Detail(bg, a.ID)
	if err != nil || r.ID != a.ID || len(hist) != 2 || !queue.IsChosenCall(hist[1]) {
		t.Fatalf("detail: %v %+v", err, hist)
	}
	found, err := c.Find(bg, "budi", 10)
	if err != nil || len(found) != 1 || found[0].Ticket != "B-001" {
		t.Fatalf("find: %+v %v", found, err)
	}
	if found, _ := c.Find(bg, "3173", 0); len(found) != 1 {
		t.Fatalf("find by NIK: %d", len(found))
	}
	svcs, err := c.Services(bg)
	if want, _ := h.Store.Services(bg); err != nil || len(svcs) != len(want) {
		t.Fatalf("services: %d %v", len(svcs), err)
	}
	var n int
	if err := c.Between(bg, "", "", func(queue.Request) error { n++; return nil }); err != nil || n != 2 {
		t.Fatalf("between: %d %v", n, err)
	}
	if err := c.Between(bg, "2020-01-01", "2020-01-02", func(queue.Request) error { n++; return nil }); err != nil || n != 2 {
		t.Fatalf("between empty days: %d %v", n, err)
	}
	if rs, err := c.DayQueue(bg, "2020-01-01"); err != nil || len(rs) != 0 {
		t.Fatalf("another day: %d %v", len(rs), err)
	}
	if rs, err := c.DayQueue(bg, ""); err != nil || len(rs) != 2 {
		t.Fatalf("today without the cache: %d %v", len(rs), err)
	}
}

// TestChangesReachOtherCounters: a change made at one counter, and one
// made on the hub's store directly, reach another counter's Subscribe and
// cache.
func TestChangesReachOtherCounters(t *testing.T) {
	h := hubtest.Start(t, hub.Options{})
	a := started(t, newClient(t, h.URL, h.AddCounter(t, "L1")))
	b := started(t, newClient(t, h.URL, h.AddCounter(t, "L2")))
	ch, stop := b.Subscribe()
	defer stop()
	arrives := func(what string, status queue.Status, do func() queue.Request) {
		t.Helper()
		start := time.Now()
		r := do()
		for {
			select {
			case <-ch:
			case <-time.After(20 * time.Second):
				t.Fatalf("%s did not reach the other counter", what)
			}
			rs, _ := b.DayQueue(bg, "")
			for _, x := range rs {
				if x.ID == r.ID && x.Status == status {
					t.Logf("%s reached the other counter in %v", what, time.Since(start))
					return
				}
			}
		}
	}
	by := queue.Actor{Clerk: "Sari"}
	arrives("a registration at L1", queue.StatusWaiting, func() queue.Request {
		r, err := a.Register(bg, queue.NewRequest{Service: "A", Name: "Siti", NIK: niks[0]}, by)
		if err != nil {
			t.Fatal(err)
		}
		return r
	})
	arrives("a call at L1", queue.StatusCalled, func() queue.Request {
		r, err := a.CallNext(bg, nil, by)
		if err != nil {
			t.Fatal(err)
		}
		return r
	})
	arrives("a registration on the hub's own store", queue.StatusWaiting, func() queue.Request {
		r, err := h.Store.Register(bg, queue.NewRequest{Service: "C", Name: "Wati", NIK: niks[2]}, queue.Actor{Counter: "HUB"})
		if err != nil {
			t.Fatal(err)
		}
		return r
	})
	if s := b.Status(); !s.Online || !s.Synced || s.LastSeq != 3 {
		t.Fatalf("status %+v", s)
	}
}

// TestReconnectAndCatchUp: the hub stops, changes are made on its store
// meanwhile, a new server starts on the same address: the client
// reconnects by itself and its cache catches up from its last event.
func TestReconnectAndCatchUp(t *testing.T) {
	h := hubtest.Start(t, hub.Options{})
	c := started(t, newClient(t, h.URL, h.AddCounter(t, "L1")))
	by := queue.Actor{Clerk: "Sari"}
	if _, err := c.Register(bg, queue.NewRequest{Service: "A", Name: "Siti", NIK: niks[0]}, by); err != nil {
		t.Fatal(err)
	}
	h.Stop()
	waitFor(t, "the client to see the hub gone", func() bool { return !c.Online() })
	if _, err := c.Register(bg, queue.NewRequest{Service: "A", Name: "Budi", NIK: niks[1]}, by); !errors.Is(err, hubclient.ErrUnreachable) {
		t.Fatalf("register with the hub down: %v", err)
	}
	if _, err := c.DayQueue(bg, ""); !errors.Is(err, hubclient.ErrUnreachable) {
		t.Fatalf("the queue with the hub down (the cache is stale): %v", err)
	}
	for _, name := range []string{"Wati", "Ahmad"} {
		if _, err := h.Store.Register(bg, queue.NewRequest{Service: "B", Name: name, NIK: niks[2]}, queue.Actor{Counter: "HUB"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.Store.Act(bg, "A-001", queue.ActCall, "", queue.Actor{Counter: "HUB"}); err != nil {
		t.Fatal(err)
	}
	h.Restart(t)
	waitFor(t, "the client to catch up", func() bool { s := c.Status(); return s.Online && s.LastSeq == 4 })
	rs, err := c.DayQueue(bg, "")
	if err != nil || len(rs) != 3 || rs[0].Status != queue.StatusCalled {
		t.Fatalf("after catching up: %d %v", len(rs), err)
	}
	if n := lastSeq(t, h.Store); n != 4 {
		t.Fatalf("%d events: the refused registration was saved", n)
	}
}

// TestUnreachableAndNoAnswer: nobody listening is ErrUnreachable at once;
// a hub that takes the call and never answers is ErrNoAnswer, after one
// retry with the same key.
func TestUnreachableAndNoAnswer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := newClient(t, "http://"+addr, store.TokenPrefix+"00")
	by := queue.Actor{Clerk: "Sari"}
	if _, err := c.Register(bg, queue.NewRequest{Service: "A", Name: "Siti", NIK: niks[0]}, by); !errors.Is(err, hubclient.ErrUnreachable) || errors.Is(err, hubclient.ErrNoAnswer) {
		t.Fatalf("nobody listening: %v", err)
	}
	// A hub that reads the call and hangs up.
	ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	keys := make(chan string, 4)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 8192)
			n, _ := conn.Read(buf)
			for _, line := range splitLines(string(buf[:n])) {
				if len(line) > 17 && line[:17] == "Idempotency-Key: " {
					keys <- line[17:]
				}
			}
			conn.Close()
		}
	}()
	c = newClient(t, "http://"+ln.Addr().String(), store.TokenPrefix+"00", func(o *hubclient.Options) { o.DisableKeepAlives = true })
	_, err = c.Register(bg, queue.NewRequest{Service: "A", Name: "Siti", NIK: niks[0]}, by)
	if !errors.Is(err, hubclient.ErrNoAnswer) || errors.Is(err, hubclient.ErrUnreachable) {
		t.Fatalf("a hub that hangs up: %v", err)
	}
	k1, k2 := <-keys, <-keys
	if k1 != k2 || k1 == "" {
		t.Fatalf("the retry's key %q, the first %q", k2, k1)
	}
	if len(keys) != 0 {
		t.Fatalf("more than one retry")
	}
}

func splitLines(s string) []string {
	var out []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '\n' {
			i++
		}
		line := s[:i]
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		out = append(out, line)
		if i == len(s) {
			break
		}
		s = s[i+1:]
	}
	return out
}
