package station

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"
)

// Status is what the counter shows of sync.
type Status struct {
	Configured bool      `json:"configured"`
	Server     string    `json:"server"`
	Online     bool      `json:"online"`
	Syncing    bool      `json:"syncing"`
	Pending    uint64    `json:"pending"`
	LastSync   time.Time `json:"last_sync"`
	LastError  string    `json:"last_error"`
	Errors     []string  `json:"errors"` // the last few, newest last
	Refused    bool      `json:"refused"`
	NextTry    time.Time `json:"next_try"`
}

// Syncer syncs in the background of the running counter program: whenever
// there are events the server has not acknowledged, and again after a
// failure with exponential backoff and full jitter. It never blocks a caller
// but SyncNow.
type Syncer struct {
	Client *Client
	// Every is the idle interval between syncs; zero means 5 minutes.
	Every time.Duration
	// OnStatus is called (from the syncer's goroutine) after every change.
	OnStatus func(Status)

	mu     sync.Mutex // one sync at a time
	smu    sync.Mutex
	status Status
	kick   chan struct{}
	once   sync.Once
}

func (s *Syncer) init() {
	s.once.Do(func() {
		s.kick = make(chan struct{}, 1)
		s.status = Status{Configured: s.Client != nil && s.Client.URL != "", Server: s.serverURL()}
	})
}

func (s *Syncer) serverURL() string {
	if s.Client == nil {
		return ""
	}
	return s.Client.URL
}

// Status is the current status.
func (s *Syncer) Status() Status {
	s.init()
	s.smu.Lock()
	defer s.smu.Unlock()
	st := s.status
	st.Errors = append([]string(nil), st.Errors...)
	return st
}

func (s *Syncer) update(fn func(*Status)) {
	s.smu.Lock()
	fn(&s.status)
	st := s.status
	s.smu.Unlock()
	if s.OnStatus != nil {
		s.OnStatus(st)
	}
}

// Kick asks for a sync soon (after a change, or the clerk's "sync now").
func (s *Syncer) Kick() {
	s.init()
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// SyncNow syncs and waits for the result.
func (s *Syncer) SyncNow(ctx context.Context) (Result, error) {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.update(func(st *Status) { st.Syncing = true })
	res, err := s.Client.Sync(ctx)
	pending := res.Pending
	if err != nil {
		if ps, perr := s.Client.Store.SyncState(ctx); perr == nil {
			pending = ps.Pending()
		}
	}
	s.update(func(st *Status) {
		st.Syncing, st.Pending = false, pending
		if err != nil {
			st.Online = !errors.Is(err, ErrUnreachable)
			st.Refused = errors.Is(err, ErrRefused)
			st.LastError = err.Error()
			now := time.Now()
			if s.Client.Store != nil {
				now = now.In(s.Client.Store.Location()) // the office's clock, as on its screens
			}
			st.Errors = append(st.Errors, now.Format("15:04:05")+" "+err.Error())
			if len(st.Errors) > 5 {
				st.Errors = st.Errors[len(st.Errors)-5:]
			}
			return
		}
		st.Online, st.Refused, st.LastError, st.LastSync = true, false, "", time.Now()
	})
	return res, err
}

// Backoff is the wait before retry n (0-based): a random time up to
// min(max, base·2ⁿ) ("full jitter").
func Backoff(n int, base, max time.Duration) time.Duration {
	d := base << min(n, 20)
	if d > max || d <= 0 {
		d = max
	}
	return time.Duration(rand.Int64N(int64(d) + 1))
}

// Run syncs until ctx ends: at start, on Kick, after changes (changes is the
// store's subscription) and every Every; after a failure it waits with
// Backoff before trying again.
func (s *Syncer) Run(ctx context.Context, changes <-chan struct{}) {
	s.init()
	if s.Client == nil || s.Client.URL == "" {
		return
	}
	every := s.Every
	if every <= 0 {
		every = 5 * time.Minute
	}
	failures := 0
	next := time.Now() // the next sync, absolute: changes never push it back
	for {
		timer := time.NewTimer(time.Until(next))
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		case <-s.kick:
		case <-changes:
			if failures > 0 && time.Now().Before(next) { // do not hammer a server that is down
				timer.Stop()
				continue
			}
		}
		timer.Stop()
		_, err := s.SyncNow(ctx)
		var wait time.Duration
		switch {
		case err == nil:
			failures, wait = 0, every
		case errors.Is(err, ErrRefused):
			failures, wait = failures+1, every // a person must act; retry now and then
		default:
			wait = Backoff(failures, 2*time.Second, 5*time.Minute)
			failures++
		}
		next = time.Now().Add(wait)
		s.update(func(st *Status) { st.NextTry = next })
	}
}
