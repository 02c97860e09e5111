package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"

	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/sync/station"
)

func syncCommands() []*command {
	return []*command{
		{Name: "sync", Args: "[--server URL] [--token TOKEN] [--timeout D] [--jitter D]",
			Summary: "send every change to the central server and adopt its catalog (exit 3 unreachable, 4 refused)",
			Owned:   true, Flags: syncFlags},
	}
}

// syncFlags: sync sends what the server lacks and adopts a newer catalog:
// for cron and systemd timers. Exit 0 when nothing is left unacknowledged, 3
// when the server could not be reached, 4 when it refused this station, 1
// otherwise.
func syncFlags(fs *flag.FlagSet) runner {
	server := fs.String("server", "", "central server URL (default $LOKET_SERVER, then the config)")
	token := fs.String("token", "", "station token (default $LOKET_TOKEN, then the config's token file)")
	timeout := fs.Duration("timeout", 10*time.Minute, "give up after this long")
	jitter := fs.Duration("jitter", 0, "wait a random time up to this long first (spreads stations over the night)")
	format := fs.String("format", "text", "output: text or json")
	return func(e *env, args []string) error {
		if err := noArgs(e, args); err != nil {
			return err
		}
		st, err := e.store(reads)
		if err != nil {
			return err
		}
		c, err := e.syncClient(st, *server, *token)
		if err != nil {
			return err
		}
		if c == nil && e.app.syncer == nil {
			return usagef("no central server: loket init --server URL --token TOKEN (or --server, $LOKET_SERVER)")
		}
		// The counter program's own syncer does it when it runs here, so two
		// syncs never race; given --server or --token, this command's client.
		useSyncer := e.app.syncer != nil && (c == nil || *server == "" && *token == "")
		if *jitter > 0 {
			wait := time.Duration(rand.Int64N(int64(*jitter)))
			e.log().Info("sync: waiting before syncing", "wait", wait.Round(time.Second))
			select {
			case <-e.ctx.Done():
				return e.ctx.Err()
			case <-time.After(wait):
			}
		}
		ctx, cancel := context.WithTimeout(e.ctx, *timeout)
		defer cancel()
		var res station.Result
		if useSyncer {
			res, err = e.app.syncer.SyncNow(ctx)
		} else {
			if e.app.Stderr == os.Stderr && term.IsTerminal(os.Stderr.Fd()) {
				c.Progress = func(acked, total uint64) {
					fmt.Fprintf(e.app.Stderr, "\rsync: %s %d/%d events", bar(acked, total, 30), acked, total)
				}
				defer fmt.Fprintln(e.app.Stderr)
			} else {
				// A log line at the start, about every tenth and at the end.
				var logged uint64
				c.Progress = func(acked, total uint64) {
					if acked == 0 && logged == 0 || acked == total || acked >= logged+max(total/10, 1) {
						logged = acked
						c.Log.Info("sync", "acknowledged", acked, "total", total)
					}
				}
			}
			res, err = c.Sync(ctx)
		}
		if err != nil {
			e.log().Warn("sync failed", "server", syncServer(e, c), "err", err)
		}
		switch {
		case errors.Is(err, station.ErrUnreachable):
			return &exitError{Code: exitUnreachable, Err: err}
		case errors.Is(err, station.ErrRefused):
			return &exitError{Code: exitRefused, Err: err}
		case err != nil:
			return fmt.Errorf("sync: %w", err)
		}
		e.log().Info("sync done", "server", syncServer(e, c), "sent", res.Sent, "server_holds", res.HighWater, "pending", res.Pending,
			"catalog", res.CatalogVersion, "took", res.Took.Round(time.Millisecond))
		if *format == "json" {
			if err := writeJSON(e.out(), res); err != nil {
				return err
			}
		} else {
			if rec := res.Recovery; rec != nil {
				printRecovery(e, rec)
			}
			adopted := ""
			if res.CatalogAdopted {
				adopted = e.t().S("cmd.sync.adopted")
			}
			fmt.Fprintln(e.out(), e.t().S("cmd.sync.done", res.Sent, res.HighWater, res.Pending, res.CatalogVersion, adopted,
				res.Took.Round(time.Millisecond).String()))
		}
		if res.Pending > 0 {
			return &exitError{Code: exitFailure, Err: e.t().E("cmd.sync.pending", res.Pending)}
		}
		return nil
	}
}

// syncServer is the server a sync went to, for the log.
func syncServer(e *env, c *station.Client) string {
	if c != nil {
		return c.URL
	}
	if e.app.syncer != nil {
		return e.app.syncer.Status().Server
	}
	return ""
}

// printRecovery tells the operator what getting the history back did, and
// what a person must do about it (renumbered tickets, set-aside actions).
func printRecovery(e *env, rec *store.Recovery) {
	t := e.t()
	line := t.S("cmd.sync.recovered", rec.Imported, rec.Fork)
	if rec.Adopted {
		line += t.S("cmd.sync.adoptedid")
	}
	fmt.Fprintln(e.out(), line+t.S("cmd.sync.replayed", rec.Replayed))
	for _, r := range rec.Renumbered {
		fmt.Fprintln(e.out(), t.S("cmd.sync.renumbered", r.From, r.Day, r.TrackingCode, r.To, r.TrackingCode))
	}
	loc, _ := e.cfg.Location()
	if loc == nil {
		loc = time.Local
	}
	for _, ev := range rec.SetAside {
		fmt.Fprintln(e.out(), t.S("cmd.sync.setaside", ev.Type, ev.RequestID, ev.At.In(loc).Format(time.DateTime), ev.Clerk))
	}
}

func bar(done, total uint64, width int) string {
	if total == 0 {
		return "[" + strings.Repeat("#", width) + "]"
	}
	n := int(done * uint64(width) / total)
	return "[" + strings.Repeat("#", n) + strings.Repeat(".", width-n) + "]"
}
