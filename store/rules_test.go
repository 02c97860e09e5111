package store

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
)

// TestRequeueGoesBehind: a request put back goes behind everyone waiting
// in its line now (same priority class), and is called again only when
// nobody else waits there; its ticket, priority and first call stay.
func TestRequeueGoesBehind(t *testing.T) {
	elderly := func(name string) queue.NewRequest {
		in := walkIn("A", name)
		in.Priority = queue.PriorityElderly
		return in
	}
	tests := []struct {
		name     string
		before   []queue.NewRequest // registered before the call (the first is called and put back)
		after    []queue.NewRequest // registered after the put back
		services []string           // call-next's services
		want     []string           // names called after the put back, in order
	}{
		{"nobody else waits: the same person", []queue.NewRequest{walkIn("A", "Siti")}, nil, nil, []string{"Siti"}},
		{"someone else waits: they go first", []queue.NewRequest{walkIn("A", "Siti"), walkIn("A", "Budi")}, nil, nil, []string{"Budi", "Siti"}},
		{"behind all who wait now", []queue.NewRequest{walkIn("A", "Siti"), walkIn("A", "Budi"), walkIn("A", "Dewi")}, nil, nil, []string{"Budi", "Dewi", "Siti"}},
		{"ahead of who comes later", []queue.NewRequest{walkIn("A", "Siti"), walkIn("A", "Budi")}, []queue.NewRequest{walkIn("A", "Eko")}, nil, []string{"Budi", "Siti", "Eko"}},
		{"other lines do not count", []queue.NewRequest{walkIn("A", "Siti"), walkIn("B", "Budi")}, nil, []string{"A"}, []string{"Siti"}},
		{"keeps priority: ahead of the regular line", []queue.NewRequest{elderly("Oma"), walkIn("A", "Budi")}, nil, nil, []string{"Oma", "Budi"}},
		{"behind the other priority requests", []queue.NewRequest{elderly("Oma"), elderly("Opa"), walkIn("A", "Budi")}, nil, nil, []string{"Opa", "Oma", "Budi"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clk := openTest(t)
			var first queue.Request
			for i, in := range tt.before {
				clk.Add(time.Minute)
				r := mustRegister(t, s, in)
				if i == 0 {
					first = r
				}
			}
			clk.Add(time.Minute)
			called, err := s.CallNext(ctx, tt.services, clerk)
			if err != nil || called.ID != first.ID {
				t.Fatalf("first call = %s, %v; want %s", called.Name, err, first.Name)
			}
			clk.Add(time.Minute)
			back, err := s.Act(ctx, first.Ticket, queue.ActRequeue, "", clerk)
			if err != nil {
				t.Fatal(err)
			}
			if back.Ticket != first.Ticket || back.Priority != first.Priority || !back.CalledAt.Equal(*called.CalledAt) || !back.ArrivedAt.Equal(first.ArrivedAt) {
				t.Fatalf("put back changed the ticket, priority, first call or arrival: %+v", back)
			}
			for _, in := range tt.after {
				clk.Add(time.Minute)
				mustRegister(t, s, in)
			}
			var got []string
			for range tt.want {
				clk.Add(time.Minute)
				r, err := s.CallNext(ctx, tt.services, clerk)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, r.Name)
				if r.ID == first.ID && !r.CalledAt.Equal(*called.CalledAt) {
					t.Fatalf("the second call moved the first call: %v", r.CalledAt)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("called %v after the put back, want %v", got, tt.want)
			}
			mustCheck(t, s)
		})
	}
}

// TestDoneOnCalled: done on a called request writes request.serving and
// request.done at the same moment: service time zero, both in the history.
func TestDoneOnCalled(t *testing.T) {
	s, clk := openTest(t)
	r := mustRegister(t, s, walkIn("A", "Siti"))
	clk.Add(5 * time.Minute)
	s.Act(ctx, r.Ticket, queue.ActCall, "", clerk)
	clk.Add(2 * time.Minute)
	done, err := s.Act(ctx, r.Ticket, queue.ActDone, "", queue.Actor{Counter: "L2", Clerk: "Dewi"})
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != queue.StatusDone || done.ServingAt == nil || !done.ServingAt.Equal(*done.DoneAt) || !done.DoneAt.Equal(clk.Now()) || done.Clerk != "Dewi" {
		t.Fatalf("done on called: %+v", done)
	}
	_, hist, err := s.Detail(ctx, r.Ticket)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range hist {
		types = append(types, e.Type+"@"+e.Clerk)
	}
	if want := "request.created@Sari request.called@Sari request.serving@Dewi request.done@Dewi"; strings.Join(types, " ") != want {
		t.Fatalf("history %s, want %s", strings.Join(types, " "), want)
	}
	// Replaying the history with the queue's rules (as the central server
	// does) gives the same request.
	var replay queue.Request
	for _, e := range hist {
		if replay, err = queue.Apply(replay, e); err != nil {
			t.Fatal(err)
		}
	}
	if replay.Status != queue.StatusDone || !replay.DoneAt.Equal(*done.DoneAt) {
		t.Fatalf("replayed: %+v", replay)
	}
	// Done on a waiting request is still refused, and writes nothing.
	w := mustRegister(t, s, walkIn("A", "Budi"))
	if _, err := s.Act(ctx, w.Ticket, queue.ActDone, "", clerk); !errors.Is(err, queue.ErrInvalid) || !strings.Contains(err.Error(), "it is waiting") {
		t.Fatalf("done on waiting: %v", err)
	}
	mustCheck(t, s)
}

// TestReopen: a no-show or cancellation reopened the same day goes back to
// its place by arrival, with a request.reopened event; not on a later day.
func TestReopen(t *testing.T) {
	tests := []struct {
		name   string
		close  []queue.Action // on Siti, who arrived first
		later  time.Duration  // from her close to the reopen
		errHas string
	}{
		{"no-show while waiting, two minutes late", []queue.Action{queue.ActNoShow}, 2 * time.Minute, ""},
		{"no-show after a call", []queue.Action{queue.ActCall, queue.ActNoShow}, 2 * time.Minute, ""},
		{"cancelled after a call", []queue.Action{queue.ActCall, queue.ActCancel}, time.Hour, ""},
		{"no-show, next day", []queue.Action{queue.ActNoShow}, 24 * time.Hour, "only on its own day (2026-11-27)"},
		{"no-show, after midnight", []queue.Action{queue.ActNoShow}, 16 * time.Hour, "only on its own day"}, // 08:01 + 16h = 00:01
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clk := openTest(t)
			siti := mustRegister(t, s, walkIn("A", "Siti"))
			clk.Add(time.Minute)
			budi := mustRegister(t, s, walkIn("A", "Budi"))
			for _, a := range tt.close {
				clk.Add(time.Minute)
				if _, err := s.Act(ctx, siti.ID, a, "", clerk); err != nil {
					t.Fatal(err)
				}
			}
			clk.Add(tt.later)
			r, err := s.Act(ctx, siti.ID, queue.ActReopen, "", queue.Actor{Counter: "L2", Clerk: "Dewi"})
			if tt.errHas != "" {
				if !errors.Is(err, queue.ErrInvalid) || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("reopen: err = %v; want %q", err, tt.errHas)
				}
				if r, _ := s.Get(ctx, siti.ID); r.Status.Final() != true || len(r.EventSeqs) != 1+len(tt.close) {
					t.Fatalf("a refused reopen changed the request: %+v", r)
				}
				mustCheck(t, s)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != queue.StatusWaiting || r.ClosedAt != nil || r.Reopens != 1 || r.Clerk != "Dewi" {
				t.Fatalf("reopened: %+v", r)
			}
			// Back at her place: ahead of Budi, who arrived after her.
			next, err := s.CallNext(ctx, nil, clerk)
			if err != nil || next.ID != siti.ID {
				t.Fatalf("call next after the reopen = %s, %v; want Siti (not %s)", next.Name, err, budi.Name)
			}
			_, hist, _ := s.Detail(ctx, siti.ID)
			if hist[len(hist)-2].Type != queue.EventReopened {
				t.Fatalf("history: %+v", hist)
			}
			mustCheck(t, s)
		})
	}
}

// TestResolveDatedTicket: a request of an earlier day stays actionable by
// its ticket with the date it was given out.
func TestResolveDatedTicket(t *testing.T) {
	s, clk := openTest(t)
	mustRegister(t, s, walkIn("A", "One"))
	old := mustRegister(t, s, walkIn("A", "Two"))
	clk.Add(24 * time.Hour)
	today := mustRegister(t, s, walkIn("A", "Today"))
	tests := []struct {
		ref, want, errHas string
	}{
		{"A-001", today.ID, ""},
		{"2026-11-27/A-002", old.ID, ""},
		{"2026-11-27/a2", old.ID, ""},
		{"2026-11-28/A-001", today.ID, ""},
		{"A-002", "", "no request with ticket A-002 today (2026-11-28; a ticket of another day is written 2026-11-27/A-002)"},
		{"2026-11-26/A-002", "", "no request with ticket A-002 on 2026-11-26"},
	}
	for _, tt := range tests {
		r, err := s.Get(ctx, tt.ref)
		if tt.errHas != "" {
			if !errors.Is(err, queue.ErrNotFound) || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("Get(%q): err = %v; want %q", tt.ref, err, tt.errHas)
			}
			continue
		}
		if err != nil || r.ID != tt.want {
			t.Errorf("Get(%q) = %s %s, %v", tt.ref, r.Day, r.Ticket, err)
		}
	}
	// Yesterday's A-002 closed as a no-show by its dated ticket.
	r, err := s.Act(ctx, "2026-11-27/A-002", queue.ActNoShow, "", clerk)
	if err != nil || r.ID != old.ID || r.Status != queue.StatusNoShow {
		t.Fatalf("noshow 2026-11-27/A-002: %+v %v", r, err)
	}
	if got, err := s.Find(ctx, "2026-11-27/A-002", 10); err != nil || len(got) != 1 || got[0].ID != old.ID {
		t.Fatalf("Find(dated ticket) = %v, %v", got, err)
	}
	mustCheck(t, s)
}

// TestCloseDay: every request of the day still waiting or called is
// closed, each with its event, in one transaction; those being served are
// left open and reported; a dry run writes nothing; a second run closes
// nothing more; bad input writes nothing.
func TestCloseDay(t *testing.T) {
	for _, as := range []queue.Status{queue.StatusNoShow, queue.StatusCancelled} {
		t.Run(string(as), func(t *testing.T) {
			s, clk := openTest(t)
			waiting := mustRegister(t, s, walkIn("A", "Waiting"))
			called := mustRegister(t, s, walkIn("A", "Called"))
			serving := mustRegister(t, s, walkIn("B", "Serving"))
			done := mustRegister(t, s, walkIn("B", "Done"))
			gone := mustRegister(t, s, walkIn("C", "Gone"))
			act := func(ref string, acts ...queue.Action) {
				for _, a := range acts {
					clk.Add(time.Minute)
					if _, err := s.Act(ctx, ref, a, "", clerk); err != nil {
						t.Fatal(err)
					}
				}
			}
			act(called.ID, queue.ActCall)
			act(serving.ID, queue.ActCall, queue.ActServe)
			act(done.ID, queue.ActCall, queue.ActServe, queue.ActDone)
			act(gone.ID, queue.ActCancel)
			clk.Add(18 * time.Hour) // the next morning
			tomorrow := mustRegister(t, s, walkIn("A", "Tomorrow"))
			var lastSeq uint64
			_ = s.View(ctx, func(tx *Tx) error { lastSeq = tx.LastSeq(); return nil })

			plan, err := s.CloseDayDryRun(ctx, "2026-11-27", as)
			if err != nil {
				t.Fatal(err)
			}
			_ = s.View(ctx, func(tx *Tx) error {
				if tx.LastSeq() != lastSeq {
					t.Errorf("the dry run wrote %d events", tx.LastSeq()-lastSeq)
				}
				return nil
			})
			dc, err := s.CloseDay(ctx, "2026-11-27", as, queue.Actor{Counter: "L1", Clerk: "Supervisor"})
			if err != nil {
				t.Fatal(err)
			}
			for _, got := range []queue.DayClose{plan, dc} {
				if names(got.Closed) != "Waiting,Called" || names(got.Serving) != "Serving" || got.Day != "2026-11-27" || got.As != as {
					t.Fatalf("closed %s, serving %s", names(got.Closed), names(got.Serving))
				}
				for _, r := range got.Closed {
					if r.Status != as || r.ClosedAt == nil || !r.ClosedAt.Equal(clk.Now()) {
						t.Fatalf("closed request: %+v", r)
					}
				}
			}
			_ = s.View(ctx, func(tx *Tx) error {
				if tx.LastSeq() != lastSeq+2 {
					t.Errorf("close day wrote %d events, want 2", tx.LastSeq()-lastSeq)
				}
				return nil
			})
			for _, c := range []struct {
				r    queue.Request
				want queue.Status
			}{{waiting, as}, {called, as}, {serving, queue.StatusServing}, {done, queue.StatusDone}, {gone, queue.StatusCancelled}, {tomorrow, queue.StatusWaiting}} {
				if r, _ := s.Get(ctx, c.r.ID); r.Status != c.want {
					t.Errorf("%s is %s after closing the day, want %s", c.r.Name, r.Status, c.want)
				}
			}
			_, hist, _ := s.Detail(ctx, waiting.ID)
			if last := hist[len(hist)-1]; last.Type != as2event(as) || last.Clerk != "Supervisor" {
				t.Errorf("the close's event: %+v", last)
			}
			// Again: nothing more to close; the serving one is still reported.
			again, err := s.CloseDay(ctx, "2026-11-27", as, clerk)
			if err != nil || len(again.Closed) != 0 || names(again.Serving) != "Serving" {
				t.Fatalf("second close: %+v %v", again, err)
			}
			// The one being served is finished by its dated ticket.
			if r, err := s.Act(ctx, "2026-11-27/B-001", queue.ActDone, "", clerk); err != nil || r.ID != serving.ID {
				t.Fatalf("done by dated ticket: %v", err)
			}
			mustCheck(t, s)
		})
	}
	t.Run("refused", func(t *testing.T) {
		s, _ := openTest(t)
		mustRegister(t, s, walkIn("A", "Waiting"))
		for _, tt := range []struct {
			day    string
			as     queue.Status
			errHas string
		}{
			{"2026-11-27", queue.StatusDone, "as: a day's open requests are closed as no_show or cancelled"},
			{"2026-11-27", queue.StatusWaiting, "as:"},
			{"27-11-2026", queue.StatusNoShow, "day: \"27-11-2026\" is not a date"},
			{"2026-11-28", queue.StatusNoShow, "day: 2026-11-28 has not come yet (today is 2026-11-27)"},
		} {
			for _, dry := range []bool{false, true} {
				var err error
				if dry {
					_, err = s.CloseDayDryRun(ctx, tt.day, tt.as)
				} else {
					_, err = s.CloseDay(ctx, tt.day, tt.as, clerk)
				}
				if !errors.Is(err, queue.ErrInvalid) || !strings.Contains(err.Error(), tt.errHas) {
					t.Errorf("close %s as %s: err = %v; want %q", tt.day, tt.as, err, tt.errHas)
				}
			}
		}
		if rs, _ := s.DayQueue(ctx, ""); rs[0].Status != queue.StatusWaiting || len(rs[0].EventSeqs) != 1 {
			t.Fatalf("a refused close changed a request: %+v", rs[0])
		}
		// Today may be closed at the end of the day; a no-show of the
		// close is reopened the same day.
		dc, err := s.CloseDay(ctx, "", queue.StatusNoShow, clerk)
		if err == nil {
			t.Fatalf("an empty day is not a date: %+v", dc)
		}
		dc, err = s.CloseDay(ctx, s.Today(), queue.StatusNoShow, clerk)
		if err != nil || len(dc.Closed) != 1 {
			t.Fatalf("close today: %+v %v", dc, err)
		}
		if r, err := s.Act(ctx, dc.Closed[0].Ticket, queue.ActReopen, "", clerk); err != nil || r.Status != queue.StatusWaiting {
			t.Fatalf("reopen after closing today: %v", err)
		}
		mustCheck(t, s)
	})
}

func as2event(as queue.Status) string {
	if as == queue.StatusNoShow {
		return queue.EventNoShow
	}
	return queue.EventCancelled
}

func names(rs []queue.Request) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return strings.Join(out, ",")
}

// TestFindParts: the last four NIK digits (the only ones screens and
// receipts show) and any whole group(s) of a tracking code find requests.
func TestFindParts(t *testing.T) {
	s, clk := openTest(t)
	a := mustRegister(t, s, queue.NewRequest{Service: "A", Name: "Siti Aminah", NIK: "3273014107900417"})
	clk.Add(time.Minute)
	b := mustRegister(t, s, queue.NewRequest{Service: "B", Name: "Budi Santoso", NIK: "3578010101850417"})
	clk.Add(time.Minute)
	c := mustRegister(t, s, queue.NewRequest{Service: "A", Name: "Dewi Lestari", NIK: "3201012505700002"})
	g := func(r queue.Request, i int) string { return r.TrackingCode[5*i : 5*i+4] }
	tests := []struct {
		name, q string
		want    []queue.Request
	}{
		{"last four, two people", "0417", []queue.Request{b, a}},
		{"last four, masked as shown", "************0002", []queue.Request{c}},
		{"last four, short mask", "**0002", []queue.Request{c}},
		{"last four, nobody", "9999", nil},
		{"NIK prefix still", "357801", []queue.Request{b}},
		{"four digits are also a prefix, after the last four", "3273", []queue.Request{a}},
		{"whole NIK", "3201012505700002", []queue.Request{c}},
		{"second group", g(a, 1), []queue.Request{a}},
		{"third group, lower case", strings.ToLower(g(b, 2)), []queue.Request{b}},
		{"second and third", g(c, 1) + "-" + g(c, 2), []queue.Request{c}},
		{"first and second", g(a, 0) + "-" + g(a, 1), []queue.Request{a}},
		{"first and second, no dash", g(b, 0) + g(b, 1), []queue.Request{b}},
		{"second group and a bit", g(a, 1) + "-" + g(a, 2)[:2], []queue.Request{a}},
		{"whole code", c.TrackingCode, []queue.Request{c}},
		{"name still", "budi", []queue.Request{b}},
		{"two words", "dewi les", []queue.Request{c}},
	}
	for _, tt := range tests {
		got, err := s.Find(ctx, tt.q, 10)
		if err != nil || names(got) != names(tt.want) {
			t.Errorf("%s: Find(%q) = %s, %v; want %s", tt.name, tt.q, names(got), err, names(tt.want))
		}
	}
	// The station's own tag is on every code: on its own it finds no
	// one in particular (only a code whose later group happens to match).
	if got, _ := s.Find(ctx, g(a, 0), 10); len(got) == 3 {
		t.Errorf("the station tag alone found every request")
	}
}

// TestSameDaySameService: the same NIK registered for the same service on
// the same day is listed (the clerk is warned), whatever its status; other
// services, days and NIKs are not.
func TestSameDaySameService(t *testing.T) {
	s, clk := openTest(t)
	const nik = "3273014107900417"
	yesterday := mustRegister(t, s, queue.NewRequest{Service: "A", Name: "Siti", NIK: nik})
	clk.Add(24 * time.Hour)
	first := mustRegister(t, s, queue.NewRequest{Service: "A", Name: "Siti", NIK: nik})
	mustRegister(t, s, queue.NewRequest{Service: "B", Name: "Siti", NIK: nik})
	mustRegister(t, s, queue.NewRequest{Service: "A", Name: "Budi", NIK: "3578010101850417"})
	moved := mustRegister(t, s, queue.NewRequest{Service: "C", Name: "Siti", NIK: nik})
	if _, err := s.Act(ctx, moved.ID, queue.ActTransfer, "A", clerk); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Act(ctx, first.ID, queue.ActNoShow, "", clerk); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		nik, service, day string
		want              []queue.Request
		errHas            string
	}{
		{nik, "A", "", []queue.Request{first, moved}, ""},
		{"3273 0141 0790 0417", "a", "2026-11-28", []queue.Request{first, moved}, ""},
		{nik, "A", "2026-11-27", []queue.Request{yesterday}, ""},
		{nik, "C", "", []queue.Request{moved}, ""}, // first registered for C
		{nik, "F", "", nil, ""},
		{"3201012505700002", "A", "", nil, ""},
		{"3273013102800001", "A", "", nil, "nik:"},
		{nik, "A1", "", nil, "service:"},
		{nik, "A", "28-11-2026", nil, "day:"},
	}
	for _, tt := range tests {
		got, err := s.SameDaySameService(ctx, tt.nik, tt.service, tt.day)
		if tt.errHas != "" {
			if !errors.Is(err, queue.ErrInvalid) || !strings.HasPrefix(err.Error(), tt.errHas) {
				t.Errorf("SameDaySameService(%q, %q, %q): err = %v; want %q", tt.nik, tt.service, tt.day, err, tt.errHas)
			}
			continue
		}
		var ids, want []string
		for _, r := range got {
			ids = append(ids, r.ID)
		}
		for _, r := range tt.want {
			want = append(want, r.ID)
		}
		if err != nil || strings.Join(ids, ",") != strings.Join(want, ",") {
			t.Errorf("SameDaySameService(%q, %q, %q) = %v, %v; want %v", tt.nik, tt.service, tt.day, ids, err, want)
		}
	}
}
