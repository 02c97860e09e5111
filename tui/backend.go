package tui

import (
	"context"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/skm"
	"github.com/loket-id/loket/stats"
)

// The UI depends only on the interfaces below, on the queue's domain types
// and on the figures of package stats; the program adapts its database,
// receipt maker and syncer to them (cmd/loket/ui.go).

// Backend is what the screens need from the counter's database; *store.Store
// is one.
type Backend interface {
	DayQueue(ctx context.Context, day string) ([]queue.Request, error)
	Register(ctx context.Context, in queue.NewRequest, by queue.Actor) (queue.Request, error)
	CallNext(ctx context.Context, services []string, by queue.Actor) (queue.Request, error)
	Act(ctx context.Context, ref string, act queue.Action, service string, by queue.Actor) (queue.Request, error)
	Find(ctx context.Context, text string, limit int) ([]queue.Request, error)
	Detail(ctx context.Context, ref string) (queue.Request, []queue.Event, error)
	Services(ctx context.Context) ([]queue.Service, error)
	// Subscribe signals every change to the database; the UI reloads on it.
	Subscribe() (<-chan struct{}, func())
	// StationID and Epoch identify the database towards the central server.
	StationID() string
	Epoch() string
}

// Receipts makes and prints receipts.
type Receipts interface {
	// Print saves the receipt of r and prints it.
	Print(ctx context.Context, r queue.Request, svc queue.Service) (ReceiptResult, error)
	// Failed maps the requests of day whose receipt did not print to why.
	Failed(day string) map[string]string
}

// ReceiptResult is what became of one receipt.
type ReceiptResult struct {
	Path     string
	Printed  bool
	PrintErr error // the printer failed; the receipt is saved and p prints it again
}

// Sync is the background syncer.
type Sync interface {
	Status() SyncStatus
	Kick() // sync now
}

// SyncStatus is what the UI shows of the syncer.
type SyncStatus struct {
	Server   string
	Online   bool
	Syncing  bool
	Refused  bool
	Pending  uint64
	LastSync time.Time
	NextTry  time.Time
	Errors   []string // the last few, newest last
}

// SyncStatusMsg tells the UI the syncer's new status (sent by the program).
type SyncStatusMsg SyncStatus

// StatsSource computes figures for a range of days.
type StatsSource func(ctx context.Context, from, to, service string) (stats.Figures, error)

// SurveySource tallies the satisfaction survey's answers (package skm)
// given on a range of days, of one service ("" all).
type SurveySource func(ctx context.Context, from, to, service string) (skm.Tally, error)

// Optional: what a Backend may do besides. The UI checks for each with a
// type assertion and goes without when the backend cannot (the hub client
// has neither today).

// SameDayChecker finds the requests registered on day ("" is today) for
// the same NIK and service; the form warns before saving another
// (*store.Store is one).
type SameDayChecker interface {
	SameDaySameService(ctx context.Context, nik, service, day string) ([]queue.Request, error)
}

// DayReader reads the requests of a range of days; with it, the queue
// shows earlier days' requests that were left open (*store.Store and the
// hub client are ones).
type DayReader interface {
	Between(ctx context.Context, from, to string, fn func(queue.Request) error) error
}

// Identifier adds the applicant's identity to a walk-in registered
// without one (at a kiosk), under an idempotency key: a repeat of the same
// key answers the first result with again set (*store.Store, the hub
// client and the hub's counter are ones). Without it the detail screen's
// identify says it is not available.
type Identifier interface {
	Identify(ctx context.Context, key, ref string, id queue.Identity, by queue.Actor) (r queue.Request, again bool, err error)
}

// OnlineReporter reports whether the office hub answers (the hub client is
// one); the status bar shows it in place of the sync state, which a
// counter behind a hub does not have.
type OnlineReporter interface {
	Online() bool
}

// DayCloser closes a day: its requests still waiting or called become
// no-shows or cancellations (as), those being served stay open
// (Options.Closer; nil hides the close-day screen's action). *store.Store
// and the hub client are ones.
type DayCloser interface {
	// CloseDayDryRun says what CloseDay would do, writing nothing.
	CloseDayDryRun(ctx context.Context, day string, as queue.Status) (queue.DayClose, error)
	CloseDay(ctx context.Context, day string, as queue.Status, by queue.Actor) (queue.DayClose, error)
}
