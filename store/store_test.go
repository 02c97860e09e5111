package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
)

var jakarta = time.FixedZone("WIB", 7*3600)

// fakeClock is a settable clock for tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func openTest(t testing.TB) (*Store, *fakeClock) {
	t.Helper()
	clk := &fakeClock{t: time.Date(2026, 11, 27, 8, 0, 0, 0, jakarta)}
	s, err := Open(filepath.Join(t.TempDir(), FileName), Options{Clock: clk.Now, Location: jakarta})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, clk
}

var ctx = context.Background()

var clerk = queue.Actor{Counter: "L1", Clerk: "Sari"}

func walkIn(service, name string) queue.NewRequest {
	return queue.NewRequest{Service: service, Name: name, NIK: "3201014107900001", Phone: "0812-3456-7890"}
}

func mustRegister(t testing.TB, s *Store, in queue.NewRequest) queue.Request {
	t.Helper()
	r, err := s.Register(ctx, in, clerk)
	if err != nil {
		t.Fatalf("register %+v: %v", in, err)
	}
	return r
}

func mustCheck(t testing.TB, s *Store) {
	t.Helper()
	rep, err := s.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("check: %s", strings.Join(rep.Problems, "\n"))
	}
}

func TestRegisterInvalidWritesNothing(t *testing.T) {
	s, _ := openTest(t)
	tests := []struct {
		name  string
		in    queue.NewRequest
		field string
	}{
		{"bad nik", queue.NewRequest{Service: "A", Name: "Budi", NIK: "123"}, "nik:"},
		{"unknown service", queue.NewRequest{Service: "Z", Name: "Budi", NIK: "3201014107900001"}, "service:"},
		{"bad service code", queue.NewRequest{Service: "A1", Name: "Budi", NIK: "3201014107900001"}, "service:"},
		{"no name", queue.NewRequest{Service: "A", NIK: "3201014107900001"}, "name:"},
		{"bad phone", queue.NewRequest{Service: "A", Name: "Budi", NIK: "3201014107900001", Phone: "12345"}, "phone:"},
		{"bad priority", queue.NewRequest{Service: "A", Name: "Budi", NIK: "3201014107900001", Priority: "vip"}, "priority:"},
		{"escape in notes", queue.NewRequest{Service: "A", Name: "Budi", NIK: "3201014107900001", Notes: "\x1b]0;x\x07"}, "notes:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Register(ctx, tt.in, clerk)
			if !errors.Is(err, queue.ErrInvalid) || !strings.HasPrefix(err.Error(), tt.field) {
				t.Fatalf("err = %v; want invalid %s", err, tt.field)
			}
		})
	}
	// An inactive service is refused too.
	if err := s.Update(ctx, func(tx *Tx) error {
		cat := queue.DefaultCatalog()
		_, err := tx.ReplaceCatalog(cat[1:], clerk, s.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Register(ctx, walkIn("A", "Budi"), clerk); err == nil || !strings.Contains(err.Error(), "not active") {
		t.Fatalf("inactive service: err = %v", err)
	}
	_ = s.View(ctx, func(tx *Tx) error {
		if n := tx.LastSeq(); n != 1 { // only the catalog change
			t.Errorf("events after refused registrations = %d, want 1", n)
		}
		return nil
	})
	mustCheck(t, s)
}

func TestTransitions(t *testing.T) {
	type step struct {
		act     queue.Action
		service string
		want    queue.Status
		errHas  string
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"happy path", []step{{queue.ActCall, "", queue.StatusCalled, ""}, {queue.ActServe, "", queue.StatusServing, ""}, {queue.ActDone, "", queue.StatusDone, ""}}},
		{"no-show while waiting", []step{{queue.ActNoShow, "", queue.StatusNoShow, ""}}},
		{"no-show after calls", []step{{queue.ActCall, "", queue.StatusCalled, ""}, {queue.ActRecall, "", queue.StatusCalled, ""}, {queue.ActNoShow, "", queue.StatusNoShow, ""}}},
		{"cancel waiting", []step{{queue.ActCancel, "", queue.StatusCancelled, ""}}},
		{"cancel called", []step{{queue.ActCall, "", queue.StatusCalled, ""}, {queue.ActCancel, "", queue.StatusCancelled, ""}}},
		{"requeue", []step{{queue.ActCall, "", queue.StatusCalled, ""}, {queue.ActRequeue, "", queue.StatusWaiting, ""}, {queue.ActCall, "", queue.StatusCalled, ""}}},
		{"transfer waiting", []step{{queue.ActTransfer, "B", queue.StatusWaiting, ""}}},
		{"transfer called", []step{{queue.ActCall, "", queue.StatusCalled, ""}, {queue.ActTransfer, "B", queue.StatusWaiting, ""}}},
		{"transfer serving", []step{{queue.ActCall, "", queue.StatusCalled, ""}, {queue.ActServe, "", queue.StatusServing, ""}, {queue.ActTransfer, "B", queue.StatusWaiting, ""}}},
		{"transfer to same", []step{{queue.ActTransfer, "A", "", "already in the line"}}},
		{"transfer to unknown", []step{{queue.ActTransfer, "Z", "", "unknown service"}}},
		{"serve waiting", []step{{queue.ActServe, "", "", "it is waiting"}}},
		{"done waiting", []step{{queue.ActDone, "", "", "it is waiting"}}},
		{"done called", []step{{queue.ActCall, "", queue.StatusCalled, ""}, {queue.ActDone, "", queue.StatusDone, ""}}},
		{"done recalled", []step{{queue.ActCall, "", queue.StatusCalled, ""}, {queue.ActRecall, "", queue.StatusCalled, ""}, {queue.ActDone, "", queue.StatusDone, ""}}},
		{"reopen no-show", []step{{queue.ActNoShow, "", queue.StatusNoShow, ""}, {queue.ActReopen, "", queue.StatusWaiting, ""}, {queue.ActCall, "", queue.StatusCalled, ""}}},
		{"reopen cancelled", []step{{queue.ActCall, "", queue.StatusCalled, ""}, {queue.ActCancel, "", queue.StatusCancelled, ""}, {queue.ActReopen, "", queue.StatusWaiting, ""}}},
		{"reopen twice", []step{{queue.ActNoShow, "", queue.StatusNoShow, ""}, {queue.ActReopen, "", queue.StatusWaiting, ""}, {queue.ActReopen, "", "", "it is waiting"}}},
		{"reopen waiting", []step{{queue.ActReopen, "", "", "it is waiting"}}},
		{"reopen done", []step{{queue.ActCall, "", queue.StatusCalled, ""}, {queue.ActDone, "", queue.StatusDone, ""}, {queue.ActReopen, "", "", "it is done"}}},
		{"recall waiting", []step{{queue.ActRecall, "", "", "it is waiting"}}},
		{"requeue waiting", []step{{queue.ActRequeue, "", "", "it is waiting"}}},
		{"call called", []step{{queue.ActCall, "", queue.StatusCalled, ""}, {queue.ActCall, "", "", "it is called"}}},
		{"no-show serving", []step{{queue.ActCall, "", queue.StatusCalled, ""}, {queue.ActServe, "", queue.StatusServing, ""}, {queue.ActNoShow, "", "", "it is serving"}}},
		{"cancel serving", []step{{queue.ActCall, "", queue.StatusCalled, ""}, {queue.ActServe, "", queue.StatusServing, ""}, {queue.ActCancel, "", "", "it is serving"}}},
		{"anything after done", []step{{queue.ActCall, "", queue.StatusCalled, ""}, {queue.ActServe, "", queue.StatusServing, ""}, {queue.ActDone, "", queue.StatusDone, ""}, {queue.ActTransfer, "B", "", "it is done"}}},
		{"call after no-show", []step{{queue.ActNoShow, "", queue.StatusNoShow, ""}, {queue.ActCall, "", "", "it is no_show"}}},
		{"requeue cancelled", []step{{queue.ActCancel, "", queue.StatusCancelled, ""}, {queue.ActRequeue, "", "", "it is cancelled"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clk := openTest(t)
			r := mustRegister(t, s, walkIn("A", "Budi Santoso"))
			for i, st := range tt.steps {
				clk.Add(time.Minute)
				before, _ := s.Get(ctx, r.ID)
				got, err := s.Act(ctx, r.Ticket, st.act, st.service, clerk)
				if st.errHas != "" {
					if err == nil || !strings.Contains(err.Error(), st.errHas) || !errors.Is(err, queue.ErrInvalid) {
						t.Fatalf("step %d %s: err = %v; want %q", i, st.act, err, st.errHas)
					}
					after, _ := s.Get(ctx, r.ID)
					if after.UpdatedAt != before.UpdatedAt || after.Status != before.Status {
						t.Fatalf("step %d: refused action changed the request", i)
					}
					continue
				}
				if err != nil {
					t.Fatalf("step %d %s: %v", i, st.act, err)
				}
				if got.Status != st.want {
					t.Fatalf("step %d %s: status %s, want %s", i, st.act, got.Status, st.want)
				}
			}
			mustCheck(t, s)
		})
	}
}

func TestTransitionTimesAndTransfer(t *testing.T) {
	s, clk := openTest(t)
	r := mustRegister(t, s, walkIn("A", "Budi"))
	arrived := clk.Now()
	clk.Add(5 * time.Minute)
	r, _ = s.Act(ctx, r.Ticket, queue.ActCall, "", clerk)
	called := clk.Now()
	clk.Add(time.Minute)
	r, _ = s.Act(ctx, r.Ticket, queue.ActRecall, "", clerk)
	if r.Calls != 2 || !r.CalledAt.Equal(called) {
		t.Fatalf("after recall: calls %d, called_at %v", r.Calls, r.CalledAt)
	}
	r, _ = s.Act(ctx, r.Ticket, queue.ActServe, "", clerk)
	r, err := s.Act(ctx, r.Ticket, queue.ActTransfer, "B", queue.Actor{Counter: "L2", Clerk: "Dewi"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Service != "B" || r.Ticket != "A-001" || !r.ArrivedAt.Equal(arrived) || r.Status != queue.StatusWaiting || r.Transfers != 1 || r.ServingAt != nil || r.Counter != "L2" {
		t.Fatalf("after transfer: %+v", r)
	}
	// The transferred request keeps its place by arrival in B's line.
	later := mustRegister(t, s, walkIn("B", "Later"))
	next, err := s.CallNext(ctx, []string{"B"}, clerk)
	if err != nil || next.ID != r.ID {
		t.Fatalf("call next in B = %s, %v; want transferred %s (not %s)", next.Ticket, err, r.Ticket, later.Ticket)
	}
	var hist []queue.Event
	_ = s.View(ctx, func(tx *Tx) error { hist, err = tx.History(r.ID); return err })
	var types []string
	for _, e := range hist {
		types = append(types, e.Type)
	}
	want := "request.created request.called request.recalled request.serving request.transferred request.called"
	if strings.Join(types, " ") != want {
		t.Fatalf("history = %s\nwant %s", strings.Join(types, " "), want)
	}
	mustCheck(t, s)
}

func TestCallNextOrder(t *testing.T) {
	s, clk := openTest(t)
	a1 := mustRegister(t, s, walkIn("A", "First"))
	clk.Add(time.Minute)
	b1 := mustRegister(t, s, walkIn("B", "Second"))
	clk.Add(time.Minute)
	p := walkIn("A", "Elderly")
	p.Priority = queue.PriorityElderly
	a2 := mustRegister(t, s, p)
	clk.Add(time.Minute)
	a3 := mustRegister(t, s, walkIn("A", "Fourth"))

	var order []string
	for range 4 {
		r, err := s.CallNext(ctx, nil, clerk)
		if err != nil {
			t.Fatal(err)
		}
		order = append(order, r.Ticket)
	}
	want := []string{a2.Ticket, a1.Ticket, b1.Ticket, a3.Ticket}
	if strings.Join(order, ",") != strings.Join(want, ",") {
		t.Fatalf("call order %v, want %v", order, want)
	}
	if _, err := s.CallNext(ctx, nil, clerk); !errors.Is(err, queue.ErrQueueEmpty) {
		t.Fatalf("empty queue: err = %v", err)
	}
	// Restricted to services.
	mustRegister(t, s, walkIn("A", "Only A"))
	if _, err := s.CallNext(ctx, []string{"B", "C"}, clerk); !errors.Is(err, queue.ErrQueueEmpty) {
		t.Fatalf("restricted: err = %v", err)
	}
	if r, err := s.CallNext(ctx, []string{"a"}, clerk); err != nil || r.Service != "A" {
		t.Fatalf("restricted to A: %v %v", r.Ticket, err)
	}
	// Yesterday's leftovers are not called today.
	mustRegister(t, s, walkIn("C", "Left over"))
	clk.Add(24 * time.Hour)
	if _, err := s.CallNext(ctx, nil, clerk); !errors.Is(err, queue.ErrQueueEmpty) {
		t.Fatalf("next day: err = %v", err)
	}
	mustCheck(t, s)
}

func TestTicketsAcrossMidnight(t *testing.T) {
	s, clk := openTest(t)
	clk.Set(time.Date(2026, 11, 27, 23, 59, 0, 0, jakarta))
	a := mustRegister(t, s, walkIn("A", "One"))
	b := mustRegister(t, s, walkIn("A", "Two"))
	c := mustRegister(t, s, walkIn("B", "Three"))
	clk.Set(time.Date(2026, 11, 28, 0, 0, 1, 0, jakarta))
	d := mustRegister(t, s, walkIn("A", "Four"))
	// 16:59 UTC is 23:59 in Jakarta: the office's zone decides the day.
	clk.Set(time.Date(2026, 11, 28, 16, 59, 0, 0, time.UTC))
	e := mustRegister(t, s, walkIn("A", "Five"))
	clk.Set(time.Date(2026, 11, 28, 17, 0, 0, 0, time.UTC))
	f := mustRegister(t, s, walkIn("A", "Six"))
	got := []string{a.Ticket, b.Ticket, c.Ticket, d.Ticket, e.Ticket, f.Ticket}
	want := []string{"A-001", "A-002", "B-001", "A-001", "A-002", "A-001"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("tickets %v, want %v", got, want)
	}
	if d.Day != "2026-11-28" || f.Day != "2026-11-29" {
		t.Fatalf("days %s %s", d.Day, f.Day)
	}
	mustCheck(t, s)
}

func TestTicketsNotReusedAfterReopen(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 11, 27, 9, 0, 0, 0, jakarta)}
	path := filepath.Join(t.TempDir(), FileName)
	seen := map[string]bool{}
	for range 3 {
		s, err := Open(path, Options{Clock: clk.Now, Location: jakarta})
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			r := mustRegister(t, s, walkIn("A", "X"))
			if seen[r.Ticket] {
				t.Fatalf("ticket %s reused", r.Ticket)
			}
			seen[r.Ticket] = true
		}
		s.Close()
	}
}

func TestResolveAndFind(t *testing.T) {
	s, clk := openTest(t)
	r1 := mustRegister(t, s, walkIn("A", "Siti Nurhaliza"))
	r2 := mustRegister(t, s, queue.NewRequest{Service: "B", Name: "Budi Siregar", NIK: "3578010101850002"})
	clk.Add(time.Hour)
	r3 := mustRegister(t, s, walkIn("A", "Siti Aminah"))

	for _, ref := range []string{r1.Ticket, "a1", "A-1", r1.TrackingCode, strings.ToLower(strings.ReplaceAll(r1.TrackingCode, "-", "")), r1.ID, strings.ToLower(r1.ID)} {
		got, err := s.Get(ctx, ref)
		if err != nil || got.ID != r1.ID {
			t.Errorf("Get(%q) = %s, %v", ref, got.Ticket, err)
		}
	}
	for _, ref := range []string{"A-099", "2222-2222-2222", "01ARZ3NDEKTSV4RRFFQ69G5FAV"} {
		if _, err := s.Get(ctx, ref); !errors.Is(err, queue.ErrNotFound) {
			t.Errorf("Get(%q) err = %v; want not found", ref, err)
		}
	}
	if _, err := s.Get(ctx, "hello?"); !errors.Is(err, queue.ErrInvalid) {
		t.Errorf("Get(garbage) err = %v; want invalid", err)
	}
	find := func(q string) string {
		var out []string
		_ = s.View(ctx, func(tx *Tx) error {
			rs, err := tx.Find(q, 10)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rs {
				out = append(out, r.Ticket)
			}
			return nil
		})
		return strings.Join(out, ",")
	}
	tests := []struct{ q, want string }{
		{"siti", r3.Ticket + "," + r1.Ticket},
		{"SITI nur", r1.Ticket},
		{"amin", r3.Ticket},
		{"siregar", r2.Ticket},
		{"3578", r2.Ticket},
		{"3201014107900001", r3.Ticket + "," + r1.Ticket},
		{"B-001", r2.Ticket},
		{r2.TrackingCode, r2.Ticket},
		{"nobody", ""},
	}
	for _, tt := range tests {
		if got := find(tt.q); got != tt.want {
			t.Errorf("Find(%q) = %q, want %q", tt.q, got, tt.want)
		}
	}
}

func TestConcurrentCallAndRegister(t *testing.T) {
	s, _ := openTest(t)
	const workers, each = 6, 15
	var wg sync.WaitGroup
	var mu sync.Mutex
	called := map[string]int{}
	for w := range workers {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range each {
				if _, err := s.Register(ctx, walkIn([]string{"A", "B"}[w%2], "Concurrent"), clerk); err != nil {
					t.Error(err)
				}
			}
		}()
		go func() {
			defer wg.Done()
			for range each * 2 {
				r, err := s.CallNext(ctx, nil, queue.Actor{Counter: "L" + string(rune('1'+w))})
				if errors.Is(err, queue.ErrQueueEmpty) {
					continue
				}
				if err != nil {
					t.Error(err)
					continue
				}
				mu.Lock()
				called[r.ID]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for {
		r, err := s.CallNext(ctx, nil, clerk)
		if errors.Is(err, queue.ErrQueueEmpty) {
			break
		}
		called[r.ID]++
	}
	if len(called) != workers*each {
		t.Fatalf("called %d distinct requests, want %d", len(called), workers*each)
	}
	for id, n := range called {
		if n != 1 {
			t.Fatalf("request %s called %d times", id, n)
		}
	}
	mustCheck(t, s)
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.db")
	content := []byte(strings.Repeat("this is not a database\n", 1000))
	if err := os.WriteFile(junk, content, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(junk, Options{}); err == nil || !strings.Contains(err.Error(), junk) {
		t.Fatalf("open junk: err = %v; want an error naming the file", err)
	}
	if got, _ := os.ReadFile(junk); string(got) != string(content) {
		t.Fatal("opening a corrupt file modified it")
	}

	path := filepath.Join(dir, FileName)
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = Open(path, Options{LockTimeout: 300 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: err = %v; want ErrLocked", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("second open took %v", d)
	}
	s.Close()
}

// TestServiceCache: a service is decoded once and kept (catalog.go), but a
// catalog replaced is seen at once, and what a caller changes in what it
// was given is not kept.
func TestServiceCache(t *testing.T) {
	s, _ := openTest(t)
	mustRegister(t, s, walkIn("A", "Siti Aminah")) // A read, and cached
	read := func() queue.Service {
		t.Helper()
		var svc queue.Service
		if err := s.View(ctx, func(tx *Tx) error {
			var err error
			svc, err = tx.Service("A")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return svc
	}
	got := read()
	if len(got.Documents) == 0 {
		t.Fatal("service A has no documents: the test needs some")
	}
	got.Documents[0] = "changed by the caller"
	if again := read(); again.Documents[0] == "changed by the caller" {
		t.Fatal("a caller's change to a service it was given was kept")
	}
	cat := queue.DefaultCatalog()
	for i := range cat {
		if cat[i].Code == "A" {
			cat[i].NameEN, cat[i].Active = "Renamed", false
		}
	}
	if err := s.Update(ctx, func(tx *Tx) error { _, err := tx.ReplaceCatalog(cat, clerk, s.Now()); return err }); err != nil {
		t.Fatal(err)
	}
	if got := read(); got.NameEN != "Renamed" || got.Active {
		t.Fatalf("after the catalog's replacement: %q active %v, want Renamed, inactive", got.NameEN, got.Active)
	}
	if _, err := s.Register(ctx, walkIn("A", "Budi"), clerk); err == nil || !strings.Contains(err.Error(), "not active") {
		t.Fatalf("a service made inactive still takes registrations: err = %v", err)
	}
}
