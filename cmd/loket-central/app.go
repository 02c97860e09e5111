package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/loket-id/loket/internal/cli"
	"github.com/loket-id/loket/ownersock"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/stats"
	"github.com/loket-id/loket/store"
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

const sockName = "central.sock"

type opts struct {
	data, addr, cert, key, format, office, station, name, from, to, tz, by, role, service string
}

const usage = `loket-central: the central server that Loket counters sync to.

Usage:
  loket-central serve --addr HOST:PORT [--data DIR] [--tls-cert F --tls-key F]
  loket-central station add --office CODE --station CODE [--name TEXT] [--format json]
  loket-central station list [--format json]
  loket-central station revoke OFFICE/STATION
  loket-central station rebind OFFICE/STATION
  loket-central catalog publish FILE
  loket-central export [--office CODE] [--station OFFICE/STATION] [--from DATE] [--to DATE] --format json|csv
                       [--timezone ZONE]
  loket-central stats [--office CODE] [--station OFFICE/STATION] [--service CODE] [--from DATE] [--to DATE]
                      [--by service|counter|clerk|hour|day] [--format text|json|csv] [--timezone ZONE]
  loket-central token add --role supervisor [--office CODE]   (read-only, for GET /v1/stats)
  loket-central check
  loket-central backup FILE

Every command takes --data DIR: else $LOKET_CENTRAL_DATA, else ~/.local/share/loket-central.
A flag a command does not take is refused (exit 2).
The station, catalog, export, check and backup commands work whether or not
the server is running (they go through it when it holds the database).
Exit codes: 0 success, 2 bad usage or invalid input, 1 other failure, 5 the running server took
the command and its answer was lost (it may or may not have been done).
`

// Run runs one command line.
func (a *App) Run(ctx context.Context, args []string) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprint(a.Stdout, usage)
		return nil
	}
	o := &opts{}
	fs := flag.NewFlagSet("loket-central", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.data, "data", "", "data directory")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8470", "listen address")
	fs.StringVar(&o.cert, "tls-cert", "", "TLS certificate file")
	fs.StringVar(&o.key, "tls-key", "", "TLS key file")
	fs.StringVar(&o.format, "format", "text", "output format")
	fs.StringVar(&o.office, "office", "", "office code")
	fs.StringVar(&o.station, "station", "", "station code")
	fs.StringVar(&o.name, "name", "", "station name")
	fs.StringVar(&o.from, "from", "", "first day, YYYY-MM-DD")
	fs.StringVar(&o.to, "to", "", "last day, YYYY-MM-DD")
	fs.StringVar(&o.tz, "timezone", "", "the offices' time zone, for exported times and statistics (default the system's)")
	fs.StringVar(&o.by, "by", "service", "statistics breakdown: service, counter, clerk, hour or day")
	fs.StringVar(&o.role, "role", "", "token role: supervisor")
	fs.StringVar(&o.service, "service", "", "statistics of one service only")
	pos, err := cli.ParseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(a.Stdout, usage)
		return nil
	}
	if err != nil {
		return cli.FlagError("loket-central", commandName(pos), err)
	}
	if len(pos) == 0 {
		fmt.Fprint(a.Stderr, usage)
		return cli.Usagef("no command (see loket-central --help)")
	}
	name := commandName(pos)
	cmd, ok := commandTable[name]
	if !ok || len(pos) != cmd.args {
		return cli.Usagef("unknown or incomplete command %q (see loket-central --help)", strings.Join(pos, " "))
	}
	if err := cmd.check(name, fs, o); err != nil {
		return err
	}
	dir := o.data
	if dir == "" {
		dir = a.Getenv("LOKET_CENTRAL_DATA")
	}
	if dir == "" {
		base := a.Getenv("XDG_DATA_HOME")
		if base == "" {
			base = filepath.Join(a.Getenv("HOME"), ".local", "share")
		}
		dir = filepath.Join(base, "loket-central")
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(a.Cwd, dir)
	}
	switch name {
	case "serve":
		return a.serve(ctx, dir, o)
	case "version":
		fmt.Fprintln(a.Stdout, "loket-central, sync protocol v1")
		return nil
	}
	return a.withStorage(ctx, dir, args, func(st *central.BoltStorage) error { return a.admin(ctx, st, pos, o) })
}

// centralCommand is what one command line takes: its words and arguments,
// its flags (besides --data, which every command takes) and its formats.
type centralCommand struct {
	args    int      // positional words, the command's own included
	flags   []string // the flags it takes besides --data
	formats []string // the values --format may have; none: it takes no --format
}

// commandTable is every command, by its name of one or two words.
var commandTable = map[string]centralCommand{
	"serve":           {args: 1, flags: []string{"addr", "tls-cert", "tls-key", "timezone"}},
	"version":         {args: 1},
	"station add":     {args: 2, flags: []string{"office", "station", "name"}, formats: []string{"text", "json"}},
	"station list":    {args: 2, formats: []string{"text", "json"}},
	"station revoke":  {args: 3},
	"station rebind":  {args: 3},
	"catalog publish": {args: 3},
	"export":          {args: 1, flags: []string{"office", "station", "from", "to", "timezone"}, formats: []string{"json", "csv"}},
	"stats":           {args: 1, flags: []string{"office", "station", "service", "from", "to", "by", "timezone"}, formats: []string{"text", "json", "csv"}},
	"token add":       {args: 2, flags: []string{"role", "office"}, formats: []string{"text", "json"}},
	"check":           {args: 1},
	"backup":          {args: 2},
}

// commandName is the command that positional words name: two words when
// they make one ("station add"), else the first; "" for none.
func commandName(pos []string) string {
	if len(pos) >= 2 {
		if _, ok := commandTable[pos[0]+" "+pos[1]]; ok {
			return pos[0] + " " + pos[1]
		}
	}
	if len(pos) >= 1 {
		return pos[0]
	}
	return ""
}

// check refuses a flag the command does not take and values it cannot
// use, before anything is opened or written.
func (c centralCommand) check(name string, fs *flag.FlagSet, o *opts) error {
	takes := map[string]bool{"data": true}
	for _, f := range c.flags {
		takes[f] = true
	}
	if len(c.formats) > 0 {
		takes["format"] = true
	}
	var err error
	fs.Visit(func(f *flag.Flag) {
		if err == nil && !takes[f.Name] {
			err = cli.NotTaken("loket-central", name, f.Name)
		}
	})
	if err != nil {
		return err
	}
	if len(c.formats) > 0 && !slices.Contains(c.formats, o.format) {
		if name == "export" && o.format == "text" {
			return cli.Usagef("export needs --format json or csv")
		}
		return cli.Usagef("%s: --format %q is not one of %s", name, o.format, strings.Join(c.formats, ", "))
	}
	for _, d := range [][2]string{{"from", o.from}, {"to", o.to}} {
		if d[1] != "" {
			if _, err := time.Parse(time.DateOnly, d[1]); err != nil {
				return cli.Usagef("--%s %q is not a date YYYY-MM-DD", d[0], d[1])
			}
		}
	}
	if o.from != "" && o.to != "" && o.to < o.from {
		return cli.Usagef("--to %s is before --from %s", o.to, o.from)
	}
	if name == "stats" {
		if _, err := (stats.Figures{}).Table(o.by); err != nil {
			return cli.Usagef("%v", err)
		}
	}
	if o.tz != "" {
		if _, err := time.LoadLocation(o.tz); err != nil {
			return cli.Usagef("--timezone %q: %v", o.tz, err)
		}
	}
	return nil
}

// withStorage opens the central database, or sends the command to the
// running server that holds it.
func (a *App) withStorage(ctx context.Context, dir string, args []string, fn func(*central.BoltStorage) error) error {
	if a.owned != nil {
		return fn(a.owned)
	}
	req := ownersock.Request{Args: args, Cwd: a.Cwd, Env: map[string]string{}}
	st, resp, err := ownersock.OpenOrForward(ctx, filepath.Join(dir, sockName), req, 2*time.Second,
		func() (*central.BoltStorage, error) { return central.OpenBolt(dir, 100*time.Millisecond) },
		func(err error) bool { return errors.Is(err, store.ErrLocked) })
	switch {
	case errors.Is(err, ownersock.ErrNoAnswer):
		// Never sent again: `station add` prints its token once.
		return &cli.ExitError{Code: cli.ExitUnknown, Err: fmt.Errorf("%w: see whether it was done (loket-central station list) before doing it again", err)}
	case err != nil:
		return err
	case resp != nil:
		if code := resp.Relay(a.Stdout, a.Stderr); code != 0 {
			return &cli.ExitError{Code: code, Quiet: true}
		}
		return nil
	}
	defer st.Close()
	return fn(st)
}

func (a *App) abs(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(a.Cwd, p)
}

func (a *App) admin(ctx context.Context, st *central.BoltStorage, pos []string, o *opts) error {
	switch strings.Join(pos[:min(2, len(pos))], " ") {
	case "station add":
		s, token, err := st.AddStation(o.office, o.station, o.name, time.Now())
		if errors.Is(err, central.ErrExists) {
			return fmt.Errorf("%w: %w", err, queue.ErrInvalid)
		}
		if err != nil {
			return err
		}
		if o.format == "json" {
			return writeJSON(a.Stdout, map[string]string{"station": s.Key, "office": s.Office, "token": token})
		}
		fmt.Fprintf(a.Stdout, "station %s\ntoken   %s\n\nThe token is shown only this once. On the counter:\n  loket init --server URL --token %s\n", s.Key, token, token)
		return nil
	case "station list":
		sts, err := st.Stations()
		if err != nil {
			return err
		}
		if o.format == "json" {
			for i := range sts {
				sts[i].TokenHash = ""
			}
			return writeJSON(a.Stdout, sts)
		}
		tw := tabwriter.NewWriter(a.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "STATION\tNAME\tHIGH-WATER\tLAST SEEN\tSKEW\tSTATE")
		for _, s := range sts {
			state := "active"
			switch {
			case s.Revoked:
				state = "revoked"
			case s.Epoch == "":
				state = "unbound"
			}
			skew := fmt.Sprintf("%ds", s.SkewSeconds)
			if s.Skewed {
				skew += " (CLOCK OFF)"
			}
			seen := "-"
			if !s.LastSeen.IsZero() {
				seen = s.LastSeen.Format(time.DateTime)
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", s.Key, s.Name, s.HighWater, seen, skew, state)
		}
		return tw.Flush()
	case "station revoke", "station rebind":
		fn, verb := st.Revoke, "revoked"
		if pos[1] == "rebind" {
			fn, verb = st.Rebind, "unbound: the next counter database to sync gets the station's history back and takes it over"
		}
		if err := fn(pos[2]); err != nil {
			if errors.Is(err, central.ErrNoStation) {
				return fmt.Errorf("%w: %w", err, queue.ErrNotFound)
			}
			return err
		}
		fmt.Fprintf(a.Stdout, "station %s %s\n", pos[2], verb)
		return nil
	case "catalog publish":
		path := a.abs(pos[2])
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("publish catalog: %w", err)
		}
		svcs, err := queue.ParseCatalog(data, strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), "."))
		if err != nil {
			return fmt.Errorf("publish catalog %s: %w", path, err)
		}
		v, err := st.PublishCatalog(svcs)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.Stdout, "catalog version %d published (%d services); stations adopt it on their next sync\n", v, len(svcs))
		return nil
	case "token add":
		if o.role != "supervisor" {
			return cli.Usagef("token add needs --role supervisor")
		}
		token, err := st.AddSupervisor(o.office, time.Now())
		if err != nil {
			return err
		}
		scope := o.office
		if scope == "" {
			scope = "every office"
		}
		if o.format == "json" {
			return writeJSON(a.Stdout, map[string]string{"role": "supervisor", "office": o.office, "token": token})
		}
		fmt.Fprintf(a.Stdout, "supervisor token for %s (read-only statistics; shown only this once):\n%s\n", scope, token)
		return nil
	}
	loc := time.Local
	if o.tz != "" {
		var err error
		if loc, err = time.LoadLocation(o.tz); err != nil {
			return cli.Usagef("--timezone %q: %v", o.tz, err)
		}
	}
	switch pos[0] {
	case "stats":
		from, to := o.from, o.to
		if from == "" {
			from = time.Now().In(loc).Format(time.DateOnly)
		}
		if to == "" {
			to = from
		}
		var hourZone *time.Location // each request's office zone, unless --timezone says otherwise
		if o.tz != "" {
			hourZone = loc
		}
		f, err := central.Stats(st, o.office, o.station, o.service, from, to, hourZone)
		if err != nil {
			return err
		}
		switch o.format {
		case "json":
			return writeJSON(a.Stdout, f)
		case "csv":
			return f.WriteCSV(a.Stdout, o.by)
		}
		return f.WriteText(a.Stdout, o.by)
	case "export":
		if o.format != "json" && o.format != "csv" {
			return cli.Usagef("export needs --format json or csv")
		}
		ew := queue.NewExportWriter(a.Stdout, o.format)
		if err := st.Export(o.office, o.station, o.from, o.to, func(r queue.Request) error { return ew.Write(queue.ExportRecord(r, loc)) }); err != nil {
			return err
		}
		return ew.Close()
	case "check":
		problems, err := st.Check()
		if err != nil {
			return err
		}
		for _, p := range problems {
			fmt.Fprintln(a.Stdout, "PROBLEM:", p)
		}
		if len(problems) > 0 {
			return &cli.ExitError{Code: cli.ExitFailure, Err: fmt.Errorf("check found %d problems", len(problems))}
		}
		fmt.Fprintln(a.Stdout, "ok")
		return nil
	case "backup":
		if err := st.Backup(a.abs(pos[1])); err != nil {
			return fmt.Errorf("backup: %w", err)
		}
		fmt.Fprintf(a.Stdout, "backup written to %s\n", a.abs(pos[1]))
		return nil
	}
	return cli.Usagef("unknown command %q", strings.Join(pos, " "))
}

// serve holds the database, answers the protocol on --addr and the admin
// commands on the owner socket, until SIGINT or SIGTERM.
func (a *App) serve(ctx context.Context, dir string, o *opts) error {
	st, err := central.OpenBolt(dir, 2*time.Second)
	if err != nil {
		return err
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(a.Stderr, nil))
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.addr, err)
	}
	sock, err := ownersock.Listen(filepath.Join(dir, sockName))
	if err != nil {
		ln.Close()
		return err
	}
	defer os.Remove(filepath.Join(dir, sockName))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		_ = ownersock.Serve(ctx, sock, func(ctx context.Context, req ownersock.Request) ownersock.Response {
			var out, errOut strings.Builder
			sub := &App{Stdout: &out, Stderr: &errOut, Cwd: req.Cwd, owned: st, Getenv: func(string) string { return "" }}
			code := cli.ExitCode("loket-central", sub.Run(ctx, req.Args), &errOut)
			return ownersock.Response{Stdout: out.String(), Stderr: errOut.String(), Code: code}
		})
	}()
	log.Info("loket-central serving", "addr", ln.Addr().String(), "data", st.Path(), "tls", o.cert != "")
	fmt.Fprintf(a.Stdout, "listening on %s\n", ln.Addr())
	var loc *time.Location
	if o.tz != "" {
		if loc, err = time.LoadLocation(o.tz); err != nil {
			return cli.Usagef("--timezone %q: %v", o.tz, err)
		}
	}
	return central.ServeIn(ctx, ln, st, log, o.cert, o.key, loc)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
