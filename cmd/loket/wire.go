package main

// The wiring of loket's commands: where their office queue and database
// come from (opened here, or reached through the process that owns the
// file), the owner socket's side of that, the receipt maker and the
// central server's client. Commands get these from here and nowhere else.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/loket-id/loket/internal/cli"
	"github.com/loket-id/loket/office"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/receipts"
	"github.com/loket-id/loket/relay"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/sync/station"
)

// access is what a command does with the database, which decides what
// happens when the owner's answer is lost.
type access int

const (
	// reads: it changes nothing, so it is sent again.
	reads access = iota
	// keyed: it changes the database under an idempotency key (e.key), so
	// it is sent again with the same key; lost twice, exit 5.
	keyed
	// once: it changes the database without a key, so it is never sent
	// again; lost, exit 5.
	once
)

// queue is the office's queue that the queue commands (add, call, list,
// stats, ...) work on, and the only way they reach it: today the counter's
// own database (see e.store), or the App's office queue when it has one. A
// keyed command gets its e.key here.
//
// A counter behind an office hub (hub.url in the config, or $LOKET_HUB)
// works on the hub's queue through the hub client instead (hub.go): the
// same output and exit codes, and 3 when the hub cannot be reached
// (nothing was sent), 4 when it refuses the counter's token, 5 when a
// change was sent and its answer lost twice.
func (e *env) queue(how access) (office.Queue, error) {
	if e.app.office != nil {
		if err := e.makeKey(how); err != nil {
			return nil, err
		}
		return e.app.office, nil
	}
	if url := e.hubURL(); url != "" && e.app.owned == nil {
		if err := e.makeKey(how); err != nil {
			return nil, err
		}
		return e.hubQueue(url, how)
	}
	st, err := e.store(how)
	if err != nil {
		return nil, err
	}
	return st, nil
}

// errRelayed: the command ran in the process that owns the database, and
// what it printed was printed here; Run exits 0.
var errRelayed = errors.New("run by the owner of the database")

// store is the counter's own database, for the commands that are local by
// nature (backup, check, demo, sync) and behind e.queue: the App's own when
// it serves a forwarded command, else the file opened here, closed when the
// command ends. When another process owns the file, the command is sent to
// it over the owner socket, its answer printed, and errRelayed (or the exit
// code it had) returned, which the command returns as it is; a holder that
// does not answer (a short command finishing) is waited for, up to
// store.DefaultLockTimeout in all.
//
// When the owner's answer is lost (it died or stopped after the command was
// sent), the command is sent once more (unless how is once), with the same
// idempotency key, so that it acts at most once: to the owner, or to the
// file opened here if the owner is gone. When that answer is lost too, a
// command that changes the database exits with exitUnknown: it may or may
// not have been done.
func (e *env) store(how access) (*store.Store, error) {
	a := e.app
	if a.owned != nil {
		if err := e.makeKey(how); err != nil {
			return nil, err
		}
		return a.owned, nil
	}
	if err := e.notBehindHub(); err != nil {
		return nil, err
	}
	if err := e.makeKey(how); err != nil {
		return nil, err
	}
	sopts, err := e.storeOptions()
	if err != nil {
		return nil, err
	}
	sopts.LockTimeout = 100 * time.Millisecond
	path := filepath.Join(e.dataDir, store.FileName)
	sock := filepath.Join(e.dataDir, relay.FileName)
	req := relay.NewRequest(e.rawArgs, a.Cwd, a.Getenv, forwardedEnv)
	req.Key = e.key
	tries := 2
	if how == once {
		tries = 1
	}
	for try := 1; ; try++ {
		st, resp, err := relay.OpenOrForward(e.ctx, sock, req, store.DefaultLockTimeout,
			func() (*store.Store, error) { return store.Open(path, sopts) },
			func(err error) bool { return errors.Is(err, store.ErrLocked) })
		switch {
		case errors.Is(err, relay.ErrNoAnswer) && try < tries && e.ctx.Err() == nil:
			fmt.Fprintf(a.Stderr, "loket: %v; sending it again%s\n", err,
				map[bool]string{true: " with the same request key, so it is done once"}[e.key != ""])
			// An owner that was killed is still closing its files: let it
			// finish dying, so the second try finds its socket dead and the
			// database free rather than half-closed.
			select {
			case <-time.After(retryPause):
			case <-e.ctx.Done():
			}
			continue
		case errors.Is(err, relay.ErrNoAnswer) && how != reads:
			return nil, &exitError{Code: exitUnknown, Err: fmt.Errorf("%w: see whether it was done with `loket list` or `loket show` before doing it again", err)}
		case err != nil:
			return nil, err
		case resp != nil:
			if code := resp.Relay(a.Stdout, a.Stderr); code != 0 {
				return nil, &exitError{Code: code, Quiet: true}
			}
			return nil, errRelayed
		}
		e.closers = append(e.closers, st.Close)
		return st, nil
	}
}

// close closes what was opened for the command.
func (e *env) close() {
	for _, c := range e.closers {
		_ = c()
	}
	e.closers = nil
}

// retryPause is the wait before a command whose answer was lost is sent again.
const retryPause = 200 * time.Millisecond

func (e *env) storeOptions() (store.Options, error) {
	loc, err := e.cfg.Location()
	if err != nil {
		return store.Options{}, err
	}
	// check walks the structure at the open as Check does, and Check then
	// needs not walk it again.
	return store.Options{Clock: e.app.Clock, Location: loc, ForCheck: e.name == "check"}, nil
}

// makeKey gives a keyed command its idempotency key, once: the one it was
// forwarded with, else $LOKET_KEY (a ULID a script chose, to send a
// command again after exit 5 and have it done once), else a new one.
func (e *env) makeKey(how access) error {
	if how != keyed || e.key != "" {
		return nil
	}
	if k := e.app.Getenv("LOKET_KEY"); k != "" {
		if err := store.ValidateKey(k); err != nil {
			return usagef("$LOKET_KEY: %v", err)
		}
		e.key = k
		return nil
	}
	e.key = ulid.Make().String()
	return nil
}

// notBehindHub refuses a command that works on this PC's own database when
// the PC is a counter behind an office hub: the office's database is on
// the hub PC.
func (e *env) notBehindHub() error {
	url := e.hubURL()
	if url == "" {
		return nil
	}
	switch e.name {
	case "sync":
		return usagef("this counter works through the office hub at %s, and the hub syncs the office to the central server: a counter behind a hub does not sync itself", url)
	case "ui", "daemon":
		return usagef("this counter works through the office hub at %s and holds no database of its own", url)
	}
	return usagef("%s works on the office's database, which is on the hub PC (this counter works through the hub at %s): run it there", e.name, url)
}

// openOwned opens the database for a process that holds it (the UI, the
// daemon, the hub): never through an owner.
func (e *env) openOwned() (*store.Store, error) {
	if err := e.notBehindHub(); err != nil {
		return nil, err
	}
	sopts, err := e.storeOptions()
	if err != nil {
		return nil, err
	}
	return store.Open(filepath.Join(e.dataDir, store.FileName), sopts)
}

// forwardedEnv are the variables a forwarded command sees from its client.
var forwardedEnv = []string{"LOKET_DATA", "LOKET_CONFIG", "LOKET_LANG", "LOKET_SERVER", "LOKET_TOKEN",
	"XDG_DATA_HOME", "XDG_CONFIG_HOME", "HOME", "LANG", "LC_ALL", "LC_MESSAGES", "NO_COLOR"}

// ownerHandler runs commands forwarded by other loket processes against st.
func ownerHandler(st *store.Store, syncer *station.Syncer) relay.Handler {
	return relay.Commands("loket", func(ctx context.Context, req relay.Request, stdout, stderr io.Writer) int {
		if cmd, _, ok := lookupCommand(commands(), req.Args); !ok || !cmd.Owned {
			return exitCode(cli.NotOwned(req.Args[0]), stderr)
		}
		if err := store.ValidateKey(req.Key); err != nil {
			return exitCode(usagef("%v", err), stderr)
		}
		sub := &App{Stdout: stdout, Stderr: stderr, Cwd: req.Cwd, Getenv: req.Getenv, owned: st, syncer: syncer, key: req.Key}
		return exitCode(sub.Run(ctx, req.Args), stderr)
	})
}

// serveOwner answers other loket commands on the owner socket until ctx ends.
func serveOwner(ctx context.Context, st *store.Store, dataDir string, syncer *station.Syncer) error {
	ln, err := relay.Listen(filepath.Join(dataDir, relay.FileName))
	if err != nil {
		return err
	}
	defer os.Remove(filepath.Join(dataDir, relay.FileName))
	return relay.Serve(ctx, ln, ownerHandler(st, syncer))
}

// receiptMaker makes receipts as the config says, on paper (the config's
// when ""), with the dates of loc (the office's).
func (e *env) receiptMaker(paper string, loc *time.Location) (*receipts.Maker, error) {
	p, err := receipts.PaperByName(e.cfg.Receipt.Paper)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", err, queue.ErrInvalid)
	}
	if paper != "" {
		if p, err = receipts.PaperByName(paper); err != nil {
			return nil, fmt.Errorf("%w: %w", err, queue.ErrInvalid)
		}
	}
	c := e.cfg
	return &receipts.Maker{Dir: e.dataDir, Paper: p, PrinterQueue: c.Receipt.Printer, PrintCommand: c.Receipt.PrintCommand,
		Office: c.Office.Name, Address: c.Office.Address, CounterName: c.Station.Name,
		Contact:     receipts.Contact{Phone: c.Office.Phone, WhatsApp: c.Office.WhatsApp, Website: c.Office.Website, Hours: c.Office.Hours},
		Lang:        c.ReceiptLanguage(), // the office's, never the clerk's screen's
		TrackingURL: c.TrackingURL(), Holidays: c.Receipt.Holidays, Location: loc}, nil
}

// syncClient is the client of the configured central server, or nil when
// none is set; st is the database it syncs (nil for statistics only).
// server and token are the command's flags ("" when not given).
func (e *env) syncClient(st *store.Store, server, token string) (*station.Client, error) {
	server = firstOf(server, e.app.Getenv("LOKET_SERVER"), e.cfg.Server.URL)
	if server == "" {
		return nil, nil
	}
	token = firstOf(token, e.app.Getenv("LOKET_TOKEN"))
	if token == "" && e.cfg.Server.TokenFile != "" {
		data, err := os.ReadFile(e.cfg.Server.TokenFile)
		if err != nil {
			return nil, fmt.Errorf("read token: %w", err)
		}
		token = strings.TrimSpace(string(data))
	}
	if token == "" {
		return nil, usagef("no station token: loket init --token TOKEN (or --token, $LOKET_TOKEN)")
	}
	return &station.Client{URL: server, Token: token, Store: st, Actor: e.actor(nil), Log: e.log()}, nil
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
