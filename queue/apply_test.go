package queue

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

var wib = time.FixedZone("WIB", 7*3600)

// at is a time on 2026-12-03 in the office's zone.
func at(h, m int) time.Time { return time.Date(2026, 12, 3, h, m, 0, 0, wib) }

func newReq(status Status) Request {
	arrived := at(8, 0)
	r := Request{ID: "01KB0000000000000000000000", Ticket: "A-002", Day: "2026-12-03", Service: "A", FirstService: "A",
		Status: status, ArrivedAt: arrived, UpdatedAt: arrived, QueuedAt: arrived}
	switch status {
	case StatusCalled, StatusServing, StatusDone, StatusNoShow:
		c := at(8, 10)
		r.CalledAt, r.Calls = &c, 1
	}
	if status == StatusServing || status == StatusDone {
		s := at(8, 12)
		r.ServingAt = &s
	}
	if status.Final() {
		c := at(8, 20)
		r.ClosedAt = &c
	}
	return r
}

func event(a Action, when time.Time) Event {
	e := Event{Type: a.EventType(), RequestID: "01KB0000000000000000000000", At: when, Counter: "L2", Clerk: "Dewi"}
	if a == ActTransfer {
		e.Data, _ = json.Marshal(TransferData{From: "A", Service: "B"})
	}
	return e
}

// TestTransitionTable: every action in every status, legal or refused with
// a TransitionError that names the status (and matches ErrInvalid).
func TestTransitionTable(t *testing.T) {
	legal := map[Action]map[Status]Status{
		ActCall:     {StatusWaiting: StatusCalled},
		ActRecall:   {StatusCalled: StatusCalled},
		ActServe:    {StatusCalled: StatusServing},
		ActDone:     {StatusServing: StatusDone},
		ActNoShow:   {StatusWaiting: StatusNoShow, StatusCalled: StatusNoShow},
		ActCancel:   {StatusWaiting: StatusCancelled, StatusCalled: StatusCancelled},
		ActRequeue:  {StatusCalled: StatusWaiting},
		ActTransfer: {StatusWaiting: StatusWaiting, StatusCalled: StatusWaiting, StatusServing: StatusWaiting},
		ActReopen:   {StatusNoShow: StatusWaiting, StatusCancelled: StatusWaiting},
	}
	if len(legal) != len(Actions()) {
		t.Fatalf("the table covers %d actions of %d", len(legal), len(Actions()))
	}
	for _, a := range Actions() {
		for _, st := range Statuses {
			got, err := Apply(newReq(st), event(a, at(9, 0)))
			want, ok := legal[a][st]
			if !ok {
				var te *TransitionError
				if !errors.As(err, &te) || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "it is "+string(st)) {
					t.Errorf("%s on %s: err = %v; want refused naming the status", a, st, err)
				}
				continue
			}
			if err != nil || got.Status != want {
				t.Errorf("%s on %s: %s, %v; want %s", a, st, got.Status, err, want)
			}
			if !slices.Contains(a.From(), st) {
				t.Errorf("%s.From() = %v lacks %s", a, a.From(), st)
			}
		}
	}
}

// TestApplyTimes: what each rule does to the times, calls and counters.
func TestApplyTimes(t *testing.T) {
	tests := []struct {
		name  string
		from  Status
		act   Action
		when  time.Time
		check func(t *testing.T, r Request)
	}{
		{"requeue goes behind the line but keeps its first call", StatusCalled, ActRequeue, at(9, 0), func(t *testing.T, r Request) {
			if !r.QueuedAt.Equal(at(9, 0)) || !r.QueuePosition().Equal(at(9, 0)) {
				t.Errorf("queued at %v; want the requeue time", r.QueuedAt)
			}
			if !r.CalledAt.Equal(at(8, 10)) || r.Calls != 0 || r.WaitingTime(at(10, 0)) != 10*time.Minute {
				t.Errorf("called at %v, calls %d, wait %v", r.CalledAt, r.Calls, r.WaitingTime(at(10, 0)))
			}
		}},
		{"reopen a no-show puts it back at its arrival place", StatusNoShow, ActReopen, at(9, 0), func(t *testing.T, r Request) {
			if r.ClosedAt != nil || r.Calls != 0 || r.Reopens != 1 || !r.QueuePosition().Equal(at(8, 0)) {
				t.Errorf("after reopen: closed %v calls %d reopens %d position %v", r.ClosedAt, r.Calls, r.Reopens, r.QueuePosition())
			}
			if !r.CalledAt.Equal(at(8, 10)) || r.Counter != "L2" || !r.UpdatedAt.Equal(at(9, 0)) {
				t.Errorf("after reopen: called %v counter %s updated %v", r.CalledAt, r.Counter, r.UpdatedAt)
			}
		}},
		{"reopen a cancellation never called: waiting time runs again", StatusCancelled, ActReopen, at(23, 59), func(t *testing.T, r Request) {
			if r.ClosedAt != nil || r.CalledAt != nil || r.WaitingTime(at(10, 0)) != 2*time.Hour {
				t.Errorf("after reopen: closed %v called %v wait %v", r.ClosedAt, r.CalledAt, r.WaitingTime(at(10, 0)))
			}
		}},
		{"transfer after a requeue: its arrival place in the new line", StatusWaiting, ActTransfer, at(9, 0), func(t *testing.T, r Request) {
			if !r.QueuePosition().Equal(at(8, 0)) || r.Service != "B" {
				t.Errorf("after transfer: position %v service %s", r.QueuePosition(), r.Service)
			}
		}},
		{"a request stored before QueuedAt queues by arrival", StatusWaiting, ActCall, at(9, 0), func(t *testing.T, r Request) {
			r.QueuedAt = time.Time{}
			if !r.QueuePosition().Equal(r.ArrivedAt) {
				t.Errorf("position %v; want the arrival", r.QueuePosition())
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newReq(tt.from)
			r.QueuedAt = at(8, 45) // as if put back before
			got, err := Apply(r, event(tt.act, tt.when))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, got)
		})
	}
}

// TestReopenOnlyTheSameDay: the day is the request's local day, read in the
// UTC offset its arrival was stored with, whatever zone the event carries.
func TestReopenOnlyTheSameDay(t *testing.T) {
	tests := []struct {
		name string
		when time.Time
		ok   bool
	}{
		{"two minutes later", at(8, 22), true},
		{"last minute of the day", at(23, 59), true},
		{"the same instant in UTC", at(23, 59).UTC(), true},
		{"next day", at(0, 0).AddDate(0, 0, 1), false},
		{"next local day, still the 3rd in UTC", time.Date(2026, 12, 3, 17, 0, 0, 0, time.UTC), false},
		{"a week later", at(9, 0).AddDate(0, 0, 7), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, st := range []Status{StatusNoShow, StatusCancelled} {
				got, err := Apply(newReq(st), event(ActReopen, tt.when))
				if tt.ok != (err == nil) {
					t.Fatalf("reopen %s at %v: %v", st, tt.when, err)
				}
				if !tt.ok {
					var fe *FieldError
					if !errors.As(err, &fe) || fe.Code != "reopen.day" || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "2026-12-03") {
						t.Fatalf("reopen %s at %v: err = %v; want reopen.day naming the day", st, tt.when, err)
					}
					if got.Status != st {
						t.Fatalf("a refused reopen changed the request to %s", got.Status)
					}
				}
			}
		})
	}
}

func TestEventTypes(t *testing.T) {
	got := EventTypes()
	for _, want := range []string{EventCreated, EventReopened, EventRequeued, EventIdentified, EventErased, EventCatalog} {
		if !slices.Contains(got, want) {
			t.Errorf("EventTypes() lacks %s", want)
		}
	}
	if len(got) != len(Actions())+4 { // created, identified, erased, catalog
		t.Errorf("EventTypes() = %v", got)
	}
}

func TestNormalizeRefs(t *testing.T) {
	frags := []struct{ in, want string }{
		{"nzdt", "NZDT"}, {"QSHX-NZDT", "QSHX-NZDT"}, {"qshxnzdt", "QSHX-NZDT"}, {"QSHX NZDT Q7", "QSHX-NZDT-Q7"},
		{"NZD", ""}, {"QSHX-NZDT-Q7AB", ""}, {"NZ0T", ""}, {"siti", ""}, {"", ""},
	}
	for _, f := range frags {
		got, ok := NormalizeTrackingFragment(f.in)
		if got != f.want || ok != (f.want != "") {
			t.Errorf("NormalizeTrackingFragment(%q) = %q, %v; want %q", f.in, got, ok, f.want)
		}
	}
	dated := []struct{ in, day, ticket string }{
		{"2026-12-03/A-002", "2026-12-03", "A-002"},
		{" 2026-12-03 / a2 ", "2026-12-03", "A-002"},
		{"2026-02-31/A-002", "", ""},
		{"2026-12-03/", "", ""},
		{"A-002", "", ""},
		{"03-12-2026/A-002", "", ""},
	}
	for _, d := range dated {
		day, ticket, ok := NormalizeDatedTicket(d.in)
		if day != d.day || ticket != d.ticket || ok != (d.day != "") {
			t.Errorf("NormalizeDatedTicket(%q) = %q, %q, %v", d.in, day, ticket, ok)
		}
	}
}
