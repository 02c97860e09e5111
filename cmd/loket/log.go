package main

// The log: loket.log in the data directory, for what a person should be
// able to find out afterwards (a sync that failed, a receipt that did not
// print), with the office's local time on every line. Never a NIK, phone
// or token: a request is named by its ticket and tracking code.

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/receipts"
	"github.com/loket-id/loket/sync/station"
)

// logFileName is the log's file in the data directory.
const logFileName = "loket.log"

// newLogger is a text logger on w whose times are loc's (the office's
// zone), whatever the machine's.
func newLogger(w io.Writer, loc *time.Location) *slog.Logger {
	if loc == nil {
		loc = time.Local
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey && len(groups) == 0 && a.Value.Kind() == slog.KindTime {
			return slog.String(slog.TimeKey, a.Value.Time().In(loc).Format("2006-01-02T15:04:05.000-07:00"))
		}
		return a
	}}))
}

// openLog opens loket.log in dir for appending (made 0600).
func openLog(dir string) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return os.OpenFile(filepath.Join(dir, logFileName), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
}

// log is the command's logger: loket.log in the data directory (opened on
// first use, closed with the command), in the office's time zone. A log
// that cannot be opened loses its lines, never the command.
func (e *env) log() *slog.Logger {
	if e.logger != nil {
		return e.logger
	}
	loc, _ := e.cfg.Location()
	f, err := openLog(e.dataDir)
	if err != nil {
		e.logger = slog.New(slog.DiscardHandler)
		return e.logger
	}
	e.closers = append(e.closers, f.Close)
	e.logger = newLogger(f, loc)
	return e.logger
}

// syncLogger logs each of the background syncer's attempts that failed,
// and the first success after a failure, for its OnStatus.
func syncLogger(log *slog.Logger) func(station.Status) {
	var mu sync.Mutex
	syncing, failing := false, false
	return func(s station.Status) {
		mu.Lock()
		defer mu.Unlock()
		if s.Syncing {
			syncing = true
			return
		}
		if !syncing {
			return // another change of status (the next try's time)
		}
		syncing = false
		switch {
		case s.LastError != "":
			failing = true
			log.Warn("sync failed", "server", s.Server, "refused", s.Refused, "pending", s.Pending, "err", s.LastError)
		case failing:
			failing = false
			log.Info("sync succeeded again", "server", s.Server, "pending", s.Pending)
		}
	}
}

// logReceipt logs a receipt that could not be made or did not print: the
// request by its ticket and tracking code, the file, the reason.
func logReceipt(log *slog.Logger, r queue.Request, res receipts.Result, err error) {
	switch {
	case err != nil:
		log.Warn("receipt not made", "ticket", r.Ticket, "tracking", r.TrackingCode, "err", err)
	case res.PrintErr != nil:
		log.Warn("receipt not printed", "ticket", r.Ticket, "tracking", r.TrackingCode, "file", res.Path, "err", res.PrintErr)
	}
}
