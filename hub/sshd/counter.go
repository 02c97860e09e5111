package sshd

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/ssh"

	lokethub "github.com/loket-id/loket/hub"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/receipts"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/tui"
)

// Counter is the hub's store acting as one registered counter: what the
// terminal UI of that counter's SSH session works on. It is an
// office.Queue and a tui.Backend.
//
// As with the hub's HTTP API, the counter's identity is its code, never
// what the caller says: every change it makes carries Code as its
// queue.Actor.Counter (the clerk is the caller's). A call that names no
// services takes the counter's registered lines at that moment (none
// registered: every line). Once the counter is revoked, every change is
// refused (store.ErrRevoked) and nothing is written; reads still answer.
type Counter struct {
	St   *store.Store
	Code string
}

// current is the counter as registered now; an error when it is revoked.
func (c Counter) current(ctx context.Context) (store.Counter, error) {
	rc, err := c.St.Counter(ctx, c.Code)
	if err != nil {
		return rc, fmt.Errorf("counter %s: %w", c.Code, err)
	}
	if rc.Revoked() {
		return rc, fmt.Errorf("counter %s was revoked at the hub: %w", rc.Code, store.ErrRevoked)
	}
	return rc, nil
}

// as is by with the counter's code.
func (c Counter) as(ctx context.Context, by queue.Actor) (store.Counter, queue.Actor, error) {
	rc, err := c.current(ctx)
	by.Counter = rc.Code
	return rc, by, err
}

// services is what a call takes from: the named lines, else the counter's.
func services(named []string, rc store.Counter) []string {
	if len(named) > 0 {
		return named
	}
	return rc.Services
}

// Register records a new walk-in (tui.Backend).
func (c Counter) Register(ctx context.Context, in queue.NewRequest, by queue.Actor) (queue.Request, error) {
	_, by, err := c.as(ctx, by)
	if err != nil {
		return queue.Request{}, err
	}
	return c.St.Register(ctx, in, by)
}

// CallNext calls the next waiting request (tui.Backend).
func (c Counter) CallNext(ctx context.Context, svcs []string, by queue.Actor) (queue.Request, error) {
	rc, by, err := c.as(ctx, by)
	if err != nil {
		return queue.Request{}, err
	}
	return c.St.CallNext(ctx, services(svcs, rc), by)
}

// Act performs act on the request ref (tui.Backend).
func (c Counter) Act(ctx context.Context, ref string, act queue.Action, service string, by queue.Actor) (queue.Request, error) {
	_, by, err := c.as(ctx, by)
	if err != nil {
		return queue.Request{}, err
	}
	return c.St.Act(ctx, ref, act, service, by)
}

// RegisterOnce records a new walk-in under an idempotency key (office.Queue).
func (c Counter) RegisterOnce(ctx context.Context, key string, in queue.NewRequest, by queue.Actor) (queue.Request, bool, error) {
	_, by, err := c.as(ctx, by)
	if err != nil {
		return queue.Request{}, false, err
	}
	return c.St.RegisterOnce(ctx, key, in, by)
}

// CallNextOnce calls the next under an idempotency key (office.Queue).
func (c Counter) CallNextOnce(ctx context.Context, key string, svcs []string, by queue.Actor) (queue.Request, bool, error) {
	rc, by, err := c.as(ctx, by)
	if err != nil {
		return queue.Request{}, false, err
	}
	return c.St.CallNextOnce(ctx, key, services(svcs, rc), by)
}

// ActOnce performs act under an idempotency key (office.Queue).
func (c Counter) ActOnce(ctx context.Context, key, ref string, act queue.Action, service string, by queue.Actor) (queue.Request, bool, error) {
	_, by, err := c.as(ctx, by)
	if err != nil {
		return queue.Request{}, false, err
	}
	return c.St.ActOnce(ctx, key, ref, act, service, by)
}

// Identify gives a walk-in registered without identity (a kiosk's) the
// applicant's name, NIK and phone under an idempotency key, as the
// counter.
func (c Counter) Identify(ctx context.Context, key, ref string, id queue.Identity, by queue.Actor) (queue.Request, bool, error) {
	_, by, err := c.as(ctx, by)
	if err != nil {
		return queue.Request{}, false, err
	}
	return c.St.Identify(ctx, key, ref, id, by)
}

// ReplaceCatalogOnce replaces the catalog (office.Queue), as a counter may
// through the hub's API.
func (c Counter) ReplaceCatalogOnce(ctx context.Context, key string, svcs []queue.Service, by queue.Actor) ([]queue.Service, bool, error) {
	_, by, err := c.as(ctx, by)
	if err != nil {
		return nil, false, err
	}
	return c.St.ReplaceCatalogOnce(ctx, key, svcs, by)
}

// Purge erases the personal part of the requests closed before a day
// (office.Queue), as the counter.
func (c Counter) Purge(ctx context.Context, before string, dryRun bool, by queue.Actor) (queue.Erasure, error) {
	_, by, err := c.as(ctx, by)
	if err != nil {
		return queue.Erasure{}, err
	}
	return c.St.Purge(ctx, before, dryRun, by)
}

// Forget erases the personal part of every request of one NIK
// (office.Queue), as the counter.
func (c Counter) Forget(ctx context.Context, nik, note string, by queue.Actor) (queue.Erasure, error) {
	_, by, err := c.as(ctx, by)
	if err != nil {
		return queue.Erasure{}, err
	}
	return c.St.Forget(ctx, nik, note, by)
}

// Get finds one request.
func (c Counter) Get(ctx context.Context, ref string) (queue.Request, error) {
	return c.St.Get(ctx, ref)
}

// Detail is one request with its history.
func (c Counter) Detail(ctx context.Context, ref string) (queue.Request, []queue.Event, error) {
	return c.St.Detail(ctx, ref)
}

// DayQueue is every request of a day.
func (c Counter) DayQueue(ctx context.Context, day string) ([]queue.Request, error) {
	return c.St.DayQueue(ctx, day)
}

// Find searches requests.
func (c Counter) Find(ctx context.Context, text string, limit int) ([]queue.Request, error) {
	return c.St.Find(ctx, text, limit)
}

// Services is the catalog.
func (c Counter) Services(ctx context.Context) ([]queue.Service, error) { return c.St.Services(ctx) }

// Between walks the requests of a range of days.
func (c Counter) Between(ctx context.Context, from, to string, fn func(queue.Request) error) error {
	return c.St.Between(ctx, from, to, fn)
}

// Location is the office's time zone.
func (c Counter) Location() *time.Location { return c.St.Location() }

// Now is the office's clock.
func (c Counter) Now() time.Time { return c.St.Now() }

// Today is the office's date.
func (c Counter) Today() string { return c.St.Today() }

// Subscribe signals every change to the hub's database.
func (c Counter) Subscribe() (<-chan struct{}, func()) { return c.St.Subscribe() }

// StationID is the hub's station ID.
func (c Counter) StationID() string { return c.St.StationID() }

// Epoch is the hub's database epoch.
func (c Counter) Epoch() string { return c.St.Epoch() }

// Options are the terminal UI's options for counter c's session s on the
// hub's store st: the store acting as c ([Counter]), c's code and name, the
// office's clock and zone, the session's renderer r, and the clerk: the SSH
// user name (ssh clerk@hub; "" when it is not a plain name). The lines a
// call takes from are c's registered ones at the time of each call. The
// caller adds what is the office's (Lang, Office, MaxCalls, Stats) and the
// receipts ([Receipts]).
func Options(st *store.Store, c store.Counter, s ssh.Session, r *lipgloss.Renderer) tui.Options {
	return tui.Options{
		Backend: Counter{St: st, Code: c.Code}, Counter: c.Code, CounterName: c.Name, Clerk: clerkName(s.User()),
		Now: st.Now, Location: st.Location(), Renderer: r,
	}
}

// clerkName is an SSH user name as a clerk's name: "" when it is too long
// or holds a control character.
func clerkName(user string) string {
	user = strings.TrimSpace(user)
	if len(user) > lokethub.MaxClerk {
		return ""
	}
	for _, r := range user {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return ""
		}
	}
	return user
}

// Receipts makes a counter's receipts with the office's maker m, printed
// on the counter's registered printer queue (c.Printer, through
// m.PrintCommand when the office has one, else lp). A counter registered
// without a printer gets its receipts saved, not printed: never on another
// counter's printer.
func Receipts(m receipts.Maker, c store.Counter) tui.Receipts {
	m.PrinterQueue = c.Printer
	if c.Printer == "" {
		m.PrintCommand = ""
	}
	if c.Name != "" {
		m.CounterName = c.Name
	}
	return counterReceipts{&m}
}

type counterReceipts struct{ m *receipts.Maker }

func (r counterReceipts) Print(ctx context.Context, req queue.Request, svc queue.Service) (tui.ReceiptResult, error) {
	res, err := r.m.Produce(ctx, req, svc, true)
	return tui.ReceiptResult{Path: res.Path, Printed: res.Printed, PrintErr: res.PrintErr}, err
}

func (r counterReceipts) Failed(day string) map[string]string { return r.m.Failed(day) }
