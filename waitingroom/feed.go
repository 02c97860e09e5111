package waitingroom

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
)

// Call is one call of a ticket to a counter as the board shows and speaks
// it. It holds no personal data.
type Call struct {
	Seq         uint64    `json:"seq"` // the event's
	Ticket      string    `json:"ticket"`
	Service     string    `json:"service"`
	Counter     string    `json:"counter"`      // the counter's code: the spoken call reads it
	CounterName string    `json:"counter_name"` // what the board shows
	At          time.Time `json:"at"`
	Recall      bool      `json:"recall,omitempty"`
	request     string    // the request's ID, to keep one line per request
}

// Line is one service's line: how many wait in it today.
type Line struct {
	Service string `json:"service"`
	NameID  string `json:"name_id"`
	NameEN  string `json:"name_en"`
	Waiting int    `json:"waiting"`
}

// State is what a board shows: today's newest calls (newest first) and the
// lines of the active services. Announce are the calls to speak, only in
// the message that brings them. Nothing in it names a person: the types
// have no field for a name, NIK or phone.
type State struct {
	Seq      uint64 `json:"seq"` // the newest event the state includes
	Day      string `json:"day"`
	Calls    []Call `json:"calls"`
	Lines    []Line `json:"lines"`
	Announce []Call `json:"announce,omitempty"`
	NowMS    int64  `json:"now_ms"`       // the server's clock when sent
	OffsetS  int    `json:"utc_offset_s"` // the office's UTC offset then
}

// boardCalls is how many calls a board shows: the current one and the last
// five before it. The feed keeps more, for boards of some services only.
const (
	boardCalls = 6
	keepCalls  = 30
)

// subBuffer is how many messages a board may fall behind before it is
// dropped (its page reconnects and starts from the state again).
const subBuffer = 32

// message is one broadcast: the new state (shared, read-only) and the calls
// it brought.
type message struct {
	state    *State
	announce []Call
}

// sub is one connected board.
type sub struct {
	ch chan message // closed when the board is dropped
}

// feed follows the store's event log in one goroutine and broadcasts the
// board's state to every connected board. Boards never touch the store:
// a call costs the counters one non-blocking notification, whatever the
// number of boards.
type feed struct {
	st          *store.Store
	counterName func(*store.Tx, string) string

	mu      sync.Mutex
	state   *State
	subs    map[*sub]struct{}
	dropped int // boards dropped for falling behind, for tests and logs
}

func newFeed(st *store.Store, counterName func(*store.Tx, string) string) *feed {
	return &feed{st: st, counterName: counterName, subs: map[*sub]struct{}{}}
}

// subscribe adds a board: it gets the current state and every message
// after it.
func (f *feed) subscribe() (*sub, *State) {
	s := &sub{ch: make(chan message, subBuffer)}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.subs[s] = struct{}{}
	return s, f.state
}

func (f *feed) unsubscribe(s *sub) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.subs[s]; ok {
		delete(f.subs, s)
		close(s.ch)
	}
}

// current is the latest state (nil before the first read).
func (f *feed) current() *State {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.state
}

// publish sets the state and hands it to every board without waiting: a
// board whose buffer is full is dropped.
func (f *feed) publish(st *State, announce []Call) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.state = st
	for s := range f.subs {
		select {
		case s.ch <- message{st, announce}:
		default:
			delete(f.subs, s)
			close(s.ch)
			f.dropped++
		}
	}
}

// run follows the store until ctx ends: after every committed change it
// reads the new events, and once a minute it starts again from the log
// when the day has changed (the counts and calls are today's).
func (f *feed) run(ctx context.Context) error {
	changed, stop := f.st.Subscribe()
	defer stop()
	st, err := f.rebuild(ctx)
	if err != nil {
		return err
	}
	f.publish(st, nil)
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			if f.st.Today() == st.Day {
				continue
			}
			if st, err = f.rebuild(ctx); err != nil {
				return err
			}
			f.publish(st, nil)
		case <-changed:
			next, announce, err := f.advance(ctx, st)
			if err != nil {
				return err
			}
			st = next
			f.publish(st, announce)
		}
	}
}

// callOf is the call an event makes, if it is a call or recall of today.
func (f *feed) callOf(tx *store.Tx, e queue.Event, day string) (Call, bool, error) {
	if e.Type != queue.EventCalled && e.Type != queue.EventRecalled {
		return Call{}, false, nil
	}
	if f.st.DayOf(e.At) != day {
		return Call{}, false, nil
	}
	r, err := tx.Request(e.RequestID)
	if err != nil {
		return Call{}, false, err
	}
	name := e.Counter
	if f.counterName != nil {
		if n := f.counterName(tx, e.Counter); n != "" {
			name = n
		}
	}
	return Call{Seq: e.Seq, Ticket: r.Ticket, Service: r.Service, Counter: e.Counter, CounterName: name,
		At: e.At, Recall: e.Type == queue.EventRecalled, request: r.ID}, true, nil
}

// maxScan bounds how far back rebuild reads the log for today's calls.
const maxScan = 20000

// rebuild reads the state from the store: today's newest calls (reading the
// log backwards) and the lines.
func (f *feed) rebuild(ctx context.Context) (*State, error) {
	st := &State{Day: f.st.Today()}
	err := f.st.View(ctx, func(tx *store.Tx) error {
		st.Seq = tx.LastSeq()
		dayStart, err := time.ParseInLocation(time.DateOnly, st.Day, f.st.Location())
		if err != nil {
			return err
		}
		n := 0
		err = tx.EventsBackward(0, func(e queue.Event) (bool, error) {
			n++
			if e.At.Before(dayStart) && e.Type != queue.EventCatalog || n > maxScan {
				return false, nil
			}
			c, ok, err := f.callOf(tx, e, st.Day)
			if err != nil || !ok {
				return err == nil, err
			}
			if !slices.ContainsFunc(st.Calls, func(o Call) bool { return o.request == c.request }) {
				st.Calls = append(st.Calls, c)
			}
			return len(st.Calls) < keepCalls, nil
		})
		if err != nil {
			return err
		}
		st.Lines, err = lines(tx, st.Day)
		return err
	})
	return st, err
}

// advance applies the events after st.Seq: new calls go on top (a recall
// moves its ticket back to the top) and are announced; the lines are read
// again.
func (f *feed) advance(ctx context.Context, old *State) (*State, []Call, error) {
	st := &State{Seq: old.Seq, Day: old.Day, Calls: slices.Clone(old.Calls)}
	var announce []Call
	err := f.st.View(ctx, func(tx *store.Tx) error {
		if last := tx.LastSeq(); last < st.Seq { // the log was rewritten (a recovery): start again
			fresh, err := f.rebuild(ctx)
			if err != nil {
				return err
			}
			*st = *fresh
			return nil
		}
		for {
			events, err := tx.Events(st.Seq, 500)
			if err != nil {
				return err
			}
			if len(events) == 0 {
				break
			}
			for _, e := range events {
				st.Seq = e.Seq
				c, ok, err := f.callOf(tx, e, st.Day)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
				st.Calls = slices.DeleteFunc(st.Calls, func(o Call) bool { return o.request == c.request })
				st.Calls = append([]Call{c}, st.Calls...)
				if len(st.Calls) > keepCalls {
					st.Calls = st.Calls[:keepCalls]
				}
				announce = append(announce, c)
			}
		}
		var err error
		st.Lines, err = lines(tx, st.Day)
		return err
	})
	return st, announce, err
}

// lines are the active services with the number waiting today.
func lines(tx *store.Tx, day string) ([]Line, error) {
	svcs, err := tx.Services()
	if err != nil {
		return nil, err
	}
	counts := tx.WaitingCounts(day)
	out := []Line{}
	for _, s := range svcs {
		if s.Active || counts[s.Code] > 0 {
			out = append(out, Line{Service: s.Code, NameID: s.NameID, NameEN: s.NameEN, Waiting: counts[s.Code]})
		}
	}
	return out, nil
}

// filter is the state as a board of some services sees it (all when
// services is empty), stamped with the clock.
func (st *State) filter(services map[string]bool, announce []Call, now time.Time) State {
	out := *st
	out.Announce = announce
	if len(services) > 0 {
		keep := func(c Call) bool { return !services[c.Service] }
		out.Calls = slices.DeleteFunc(slices.Clone(st.Calls), keep)
		out.Announce = slices.DeleteFunc(slices.Clone(announce), keep)
		out.Lines = slices.DeleteFunc(slices.Clone(st.Lines), func(l Line) bool { return !services[l.Service] })
	}
	if out.Calls == nil {
		out.Calls = []Call{}
	}
	out.Calls = out.Calls[:min(len(out.Calls), boardCalls)]
	out.NowMS = now.UnixMilli()
	_, out.OffsetS = now.Zone()
	return out
}
