package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/loket-id/loket/config"
	"github.com/loket-id/loket/internal/cli"
	"github.com/loket-id/loket/sync/central"
)

// App runs loket-central's commands.
type App struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Cwd            string
	owned          *central.BoltStorage // set when serving a forwarded command
}

func newApp() *App {
	cwd, _ := os.Getwd()
	return &App{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Cwd: cwd}
}

func exitCode(err error, stderr io.Writer) int { return cli.ExitCode("loket-central", err, stderr) }

const usage = `loket-central: the central server that Loket counters sync to.

Usage:
  loket-central serve --addr HOST:PORT [--data DIR | --db URL] [--tls-cert F --tls-key F]
  loket-central station add --office CODE --station CODE [--name TEXT] [--format json]
  loket-central station list [--format json]
  loket-central station revoke OFFICE/STATION
  loket-central station rebind OFFICE/STATION
  loket-central catalog publish FILE
  loket-central export [--office CODE] [--station OFFICE/STATION] [--from DATE] [--to DATE] --format json|csv [--unmasked]
                       [--timezone ZONE]
  loket-central stats [--office CODE] [--station OFFICE/STATION] [--service CODE] [--from DATE] [--to DATE]
                      [--by service|counter|clerk|hour|day] [--format text|json|csv] [--timezone ZONE]
  loket-central token add --role supervisor [--office CODE]   (read-only, for GET /v2/stats)
  loket-central check
  loket-central backup FILE                     (bbolt; a PostgreSQL centre is backed up with pg_dump)
  loket-central migrate                         (bring the database's schema to this version)
  loket-central migrate-from-bolt --data DIR --db URL   (move a bbolt centre to an empty PostgreSQL database)

Every command takes --data DIR: else $LOKET_CENTRAL_DATA, else ~/.local/share/loket-central.
With --db URL (else $LOKET_CENTRAL_DB) the central database is in PostgreSQL instead
(postgres://user@host/dbname or host=/run/postgresql dbname=loket); serve migrates its schema.
A flag a command does not take is refused (exit 2).
The station, catalog, export, check and backup commands work whether or not
the server is running (they go through it when it holds the database).
Exit codes: 0 success, 2 bad usage or invalid input, 1 other failure, 5 the running server took
the command and its answer was lost (it may or may not have been done).
`

// command is one of loket-central's commands; each area of them is in its
// own file (serve.go, station.go, token.go, catalog.go, export.go,
// stats.go, data.go).
type command = cli.Command[*env]

// runner is what a command does; its Flags return it.
type runner = cli.Run[*env]

var (
	registryOnce sync.Once
	registryAll  *cli.Registry[*env]
)

// commands is every command, by its name of one or two words.
func commands() *cli.Registry[*env] {
	registryOnce.Do(func() {
		var all []*command
		for _, area := range [][]*command{serveCommands(), stationCommands(), tokenCommands(), catalogCommands(),
			exportCommands(), statsCommands(), dataCommands()} {
			all = append(all, area...)
		}
		registryAll = cli.NewRegistry("loket-central", all...)
	})
	return registryAll
}

// globals are the flags every command takes.
type globals struct{ data, db string }

func (g *globals) declare(fs *flag.FlagSet) {
	fs.StringVar(&g.data, "data", "", "data directory")
	fs.StringVar(&g.db, "db", "", "PostgreSQL connection string (postgres://…): the central database there, not in --data")
}

// env is what a running command has: the App, its name and command line
// and the data directory. Its database comes from e.storage (wire.go).
type env struct {
	app     *App
	ctx     context.Context
	name    string
	dir     string
	db      string // PostgreSQL connection string, "" for the bbolt file in dir
	rawArgs []string
	closers []func() error
}

func (e *env) out() io.Writer { return e.app.Stdout }

// abs resolves a path the user typed against the caller's working
// directory (the client's, for a forwarded command).
func (e *env) abs(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(e.app.Cwd, p)
}

// Run runs one command line. Its flags may come before, between or after
// the command's words ("--data d station add --office X").
func (a *App) Run(ctx context.Context, args []string) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprint(a.Stdout, usage)
		return nil
	}
	cmds := commands()
	pos, err := cmds.Words(args, new(globals).declare)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(a.Stdout, usage)
		return nil
	}
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		fmt.Fprint(a.Stderr, usage)
		return cli.Usagef("no command (see loket-central --help)")
	}
	cmd, rest, ok := cmds.Named(pos)
	if !ok || (cmd.Accepts != nil && !cmd.Accepts(rest)) {
		return cli.Usagef("unknown or incomplete command %q (see loket-central --help)", strings.Join(pos, " "))
	}
	if a.owned != nil && !cmd.Owned {
		return cli.NotOwned(cmd.Name)
	}
	e := &env{app: a, ctx: ctx, name: cmd.Name, rawArgs: args}
	var g globals
	run, pos, _, err := cmds.Parse(cmd, args, g.declare)
	if err != nil {
		return err
	}
	if e.dir, err = config.CentralDataDir(g.data, a.Getenv, a.Cwd); err != nil {
		return err
	}
	if e.db = g.db; e.db == "" && a.owned == nil {
		e.db = a.Getenv("LOKET_CENTRAL_DB")
	}
	defer e.close()
	if err := run(e, pos[len(strings.Fields(cmd.Name)):]); !errors.Is(err, errRelayed) {
		return err
	}
	return nil
}

// The flags several commands take.

// formatFlag declares --format (text by default; see checkFormat).
func formatFlag(fs *flag.FlagSet) *string {
	return fs.String("format", "text", "output format")
}

// checkFormat checks --format against the values command e allows.
func checkFormat(e *env, format string, allowed ...string) error {
	if err := cli.Format(format, allowed...); err != nil {
		return cli.Usagef("%s: %v", e.name, err)
	}
	return nil
}

// zoneFlag declares --timezone: the offices' zone (default the system's).
func zoneFlag(fs *flag.FlagSet) *string {
	return fs.String("timezone", "", "the offices' time zone, for exported times and statistics (default the system's)")
}

// zone is the zone --timezone names, or def when it is "".
func zone(name string, def *time.Location) (*time.Location, error) {
	if name == "" {
		return def, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, cli.Usagef("--timezone %q: %v", name, err)
	}
	return loc, nil
}

// scopeFlags are --office and --station: which stations' data.
type scopeFlags struct{ office, station string }

func declareScope(fs *flag.FlagSet) *scopeFlags {
	s := &scopeFlags{}
	fs.StringVar(&s.office, "office", "", "office code")
	fs.StringVar(&s.station, "station", "", "station code")
	return s
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
