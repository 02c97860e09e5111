package main

// The wiring of loket-central's commands: the central database, opened
// here or reached through the running server that holds it, and the owner
// socket's side of that.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/loket-id/loket/internal/boltcheck"
	"github.com/loket-id/loket/internal/cli"
	"github.com/loket-id/loket/relay"
	"github.com/loket-id/loket/sync/central"
	"github.com/loket-id/loket/sync/central/pgstore"
)

const sockName = "central.sock"

// forwardedEnv are the variables a forwarded command sees from its client.
var forwardedEnv = []string{"LOKET_CENTRAL_DATA", "XDG_DATA_HOME", "HOME"}

// errRelayed: the command ran in the server that holds the database, and
// what it printed was printed here; Run exits 0.
var errRelayed = errors.New("run by the server")

// storage is the central database: the App's own when it serves a
// forwarded command, else the file opened here (closed when the command
// ends). When the running server holds it, the command is sent there, its
// answer printed and errRelayed (or its exit code) returned, which the
// command returns as it is. A lost answer is never sent again (`station
// add` prints its token once): exit 5.
//
// With --db (or $LOKET_CENTRAL_DB) it is the PostgreSQL database instead,
// reached directly by every command (no server between them); only check
// leaves its schema as it is.
func (e *env) storage() (central.Storage, error) {
	a := e.app
	if a.owned != nil {
		return a.owned, nil
	}
	if e.db != "" {
		st, err := pgstore.Open(e.ctx, e.db, pgstore.Options{NoMigrate: e.name == "check"})
		if err != nil {
			return nil, err
		}
		e.closers = append(e.closers, st.Close)
		return st, nil
	}
	req := relay.NewRequest(e.rawArgs, a.Cwd, a.Getenv, forwardedEnv)
	st, resp, err := relay.OpenOrForward(e.ctx, filepath.Join(e.dir, sockName), req, 2*time.Second,
		func() (*central.BoltStorage, error) { return central.OpenBolt(e.dir, 100*time.Millisecond) },
		func(err error) bool { return errors.Is(err, boltcheck.ErrLocked) })
	switch {
	case errors.Is(err, relay.ErrNoAnswer):
		return nil, &cli.ExitError{Code: cli.ExitUnknown, Err: fmt.Errorf("%w: see whether it was done (loket-central station list) before doing it again", err)}
	case err != nil:
		return nil, err
	case resp != nil:
		if code := resp.Relay(a.Stdout, a.Stderr); code != 0 {
			return nil, &cli.ExitError{Code: code, Quiet: true}
		}
		return nil, errRelayed
	}
	e.closers = append(e.closers, st.Close)
	return st, nil
}

// close closes what was opened for the command.
func (e *env) close() {
	for _, c := range e.closers {
		_ = c()
	}
	e.closers = nil
}

// ownerHandler runs the commands that other loket-central processes send
// to the server, on its database st.
func ownerHandler(st *central.BoltStorage) relay.Handler {
	return relay.Commands("loket-central", func(ctx context.Context, req relay.Request, stdout, stderr io.Writer) int {
		sub := &App{Stdout: stdout, Stderr: stderr, Cwd: req.Cwd, Getenv: req.Getenv, owned: st}
		return exitCode(sub.Run(ctx, req.Args), stderr)
	})
}
