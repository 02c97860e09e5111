package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/oklog/ulid/v2"

	"github.com/loket-id/loket/config"
	"github.com/loket-id/loket/internal/cli"
	"github.com/loket-id/loket/ownersock"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/sync/client"
)

// App runs loket's commands. Its fields are the process's surroundings, so
// that tests and the owner socket can run commands with their own.
type App struct {
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	Cwd    string
	// Clock overrides the store's clock (tests); nil means time.Now.
	Clock func() time.Time
	// Terminal reports whether the UI has a terminal to draw on.
	Terminal func() bool

	// owned is set when this App runs a command forwarded to the process
	// that owns the database: commands use it instead of opening the file.
	owned *store.Store
	// syncer is the owner's background syncer, which `loket sync` uses.
	syncer *client.Syncer
	// key is the idempotency key a forwarded command came with.
	key string
}

// newApp is the App of a real process.
func newApp() *App {
	cwd, _ := os.Getwd()
	return &App{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Cwd: cwd,
		Terminal: func() bool { return term.IsTerminal(os.Stdin.Fd()) && term.IsTerminal(os.Stdout.Fd()) }}
}

// Exit codes and errors shared with loket-central.
const (
	exitFailure     = cli.ExitFailure
	exitUsage       = cli.ExitUsage
	exitUnreachable = cli.ExitUnreachable
	exitRefused     = cli.ExitRefused
	exitUnknown     = cli.ExitUnknown
)

type exitError = cli.ExitError

var usagef = cli.Usagef

func exitCode(err error, stderr io.Writer) int { return cli.ExitCode("loket", err, stderr) }

// command is one subcommand.
type command struct {
	name    string
	args    string // synopsis of the positional arguments and own flags
	summary string
	// store: the command needs the database (opened, or forwarded to its owner).
	store bool
	// keyed: the command changes the database under an idempotency key
	// (env.key), so it may be sent to the owner again when an answer is lost.
	keyed bool
	// once: the command changes the database without a key, so a lost
	// answer is not sent again.
	once bool
	// flags declares the command's own flags.
	flags func(fs *flag.FlagSet, o *opts)
	run   func(e *env, args []string) error
}

// opts holds every flag value; each command declares the ones it takes.
type opts struct {
	data, config, lang, format      string
	service, name, nik, phone       string
	priority, notes, date, status   string
	from, to, out, clerk, counter   string
	days, seed                      int
	force, print, central           bool
	by, month                       string
	timeout, jitter                 time.Duration
	officeCode, officeName, address string
	stationCode, stationName, tz    string
	paper, printer, server, token   string
}

// env is what a running command has: the App, its flags, its config and,
// for store commands, the open store.
type env struct {
	app     *App
	ctx     context.Context
	cmd     *command
	o       *opts
	cfg     config.Config
	cfgPath string
	dataDir string
	lang    string
	st      *store.Store
	rawArgs []string
	// key is the idempotency key of a keyed command: made here, or the one a
	// forwarded command came with. The same key acts once.
	key string
}

func (e *env) out() io.Writer { return e.app.Stdout }

// abs resolves a path the user typed against the caller's working directory
// (which, for a forwarded command, is the client's).
func (e *env) abs(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(e.app.Cwd, p)
}

// actor is who this counter is.
func (e *env) actor() queue.Actor {
	a := queue.Actor{Counter: e.cfg.Station.Code, Clerk: e.cfg.Clerk.Name}
	if e.o.counter != "" {
		a.Counter = e.o.counter
	}
	if e.o.clerk != "" {
		a.Clerk = e.o.clerk
	}
	return a
}

// Run runs one loket command line (without the program name).
func (a *App) Run(ctx context.Context, args []string) error {
	if len(args) == 0 || (strings.HasPrefix(args[0], "-") && !isHelpOrVersion(args[0])) {
		args = append([]string{"ui"}, args...) // the UI, with the global flags
	}
	name := args[0]
	switch name {
	case "-h", "--help", "help":
		a.printUsage(a.Stdout)
		return nil
	case "-v", "--version":
		name = "version"
	}
	cmd, ok := commands()[name]
	if !ok {
		a.printUsage(a.Stderr)
		return usagef("unknown command %q", name)
	}
	o := &opts{}
	fs := flag.NewFlagSet("loket "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.data, "data", "", "data directory (default $LOKET_DATA or ~/.local/share/loket)")
	fs.StringVar(&o.config, "config", "", "config file (default $LOKET_CONFIG or ~/.config/loket/config.toml)")
	fs.StringVar(&o.lang, "lang", "", "language: id or en (default $LOKET_LANG, config, locale)")
	if cmd.flags != nil {
		cmd.flags(fs, o)
	}
	pos, err := cli.ParseInterspersed(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		a.printCommandHelp(cmd, fs)
		return nil
	}
	if err != nil {
		return cli.FlagError("loket", cmd.name, err)
	}
	e := &env{app: a, ctx: ctx, cmd: cmd, o: o, rawArgs: args}
	if cmd.keyed {
		if e.key = a.key; e.key == "" {
			e.key = ulid.Make().String()
		}
	}
	if e.cfgPath, err = config.Path(o.config, a.Getenv); err != nil {
		return err
	}
	if e.dataDir, err = config.DataDir(o.data, a.Getenv); err != nil {
		return err
	}
	if e.cfg, err = config.Load(e.cfgPath); err != nil {
		return err
	}
	e.lang = config.Lang(o.lang, e.cfg, a.Getenv)
	if !cmd.store {
		return cmd.run(e, pos)
	}
	return a.withStore(e, func(st *store.Store) error {
		e.st = st
		return cmd.run(e, pos)
	})
}

func isHelpOrVersion(a string) bool {
	switch a {
	case "-h", "--help", "-help", "-v", "--version":
		return true
	}
	return false
}

func (e *env) storeOptions() (store.Options, error) {
	loc, err := e.cfg.Location()
	if err != nil {
		return store.Options{}, err
	}
	return store.Options{Clock: e.app.Clock, Location: loc}, nil
}

// withStore runs fn with the database: the App's own when it serves a
// forwarded command, else the file opened here. When another process owns
// the file, the command is sent to it over the owner socket and its answer
// printed; a holder that does not answer (a short command finishing) is
// waited for, up to store.DefaultLockTimeout in all.
//
// When the owner's answer is lost (it died or stopped after the command was
// sent), the command is sent once more, with the same idempotency key, so
// that it acts at most once: to the owner, or to the file opened here if the
// owner is gone. When that answer is lost too, a command that changes the
// database exits with exitUnknown: it may or may not have been done.
func (a *App) withStore(e *env, fn func(*store.Store) error) error {
	if a.owned != nil {
		return fn(a.owned)
	}
	sopts, err := e.storeOptions()
	if err != nil {
		return err
	}
	sopts.LockTimeout = 100 * time.Millisecond
	path := filepath.Join(e.dataDir, store.FileName)
	sock := filepath.Join(e.dataDir, ownersock.FileName)
	req := a.forwardRequest(e.rawArgs)
	req.Key = e.key
	tries := 2
	if e.cmd.once {
		tries = 1
	}
	for try := 1; ; try++ {
		st, resp, err := ownersock.OpenOrForward(e.ctx, sock, req, store.DefaultLockTimeout,
			func() (*store.Store, error) { return store.Open(path, sopts) },
			func(err error) bool { return errors.Is(err, store.ErrLocked) })
		switch {
		case errors.Is(err, ownersock.ErrNoAnswer) && try < tries && e.ctx.Err() == nil:
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
		case errors.Is(err, ownersock.ErrNoAnswer) && (e.cmd.keyed || e.cmd.once):
			return &exitError{Code: exitUnknown, Err: fmt.Errorf("%w: see whether it was done with `loket list` or `loket show` before doing it again", err)}
		case err != nil:
			return err
		case resp != nil:
			if code := resp.Relay(a.Stdout, a.Stderr); code != 0 {
				return &exitError{Code: code, Quiet: true}
			}
			return nil
		}
		defer st.Close()
		return fn(st)
	}
}

// retryPause is the wait before a command whose answer was lost is sent again.
const retryPause = 200 * time.Millisecond

// forwardedEnv are the variables a forwarded command sees from its client.
var forwardedEnv = []string{"LOKET_DATA", "LOKET_CONFIG", "LOKET_LANG", "LOKET_SERVER", "LOKET_TOKEN",
	"XDG_DATA_HOME", "XDG_CONFIG_HOME", "HOME", "LANG", "LC_ALL", "LC_MESSAGES", "NO_COLOR"}

func (a *App) forwardRequest(args []string) ownersock.Request {
	env := map[string]string{}
	for _, k := range forwardedEnv {
		if v := a.Getenv(k); v != "" {
			env[k] = v
		}
	}
	return ownersock.Request{Args: args, Cwd: a.Cwd, Env: env}
}

// ownerHandler runs commands forwarded by other loket processes against st.
func ownerHandler(st *store.Store, syncer *client.Syncer) ownersock.Handler {
	return func(ctx context.Context, req ownersock.Request) ownersock.Response {
		var stdout, stderr strings.Builder
		if len(req.Args) == 0 {
			return ownersock.Response{Stderr: "loket: empty forwarded command\n", Code: exitUsage}
		}
		if cmd, ok := commands()[req.Args[0]]; !ok || !cmd.store {
			return ownersock.Response{Stderr: fmt.Sprintf("loket: command %q cannot run through the owner socket\n", req.Args[0]), Code: exitUsage}
		}
		if err := store.ValidateKey(req.Key); err != nil {
			return ownersock.Response{Stderr: fmt.Sprintf("loket: %v\n", err), Code: exitUsage}
		}
		sub := &App{
			Stdout: &stdout, Stderr: &stderr, Cwd: req.Cwd, owned: st, syncer: syncer, key: req.Key,
			Getenv: func(k string) string { return req.Env[k] },
		}
		code := exitCode(sub.Run(ctx, req.Args), &stderr)
		return ownersock.Response{Stdout: stdout.String(), Stderr: stderr.String(), Code: code}
	}
}

func (a *App) printUsage(w io.Writer) {
	fmt.Fprint(w, `loket: the counter program of a one-stop public-service office.

Usage:
  loket                  open the terminal UI
  loket COMMAND [flags]  run one command without a screen

Commands:
`)
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprint(w, "\nEvery command takes --help, --data DIR, --config FILE and --lang id|en.\n"+
		"Exit codes: 0 success, 2 bad usage or invalid input, 1 other failure (sync: 3 unreachable, 4 refused),\n"+
		"5 the counter program did not answer, so whether the change was made is unknown: look with loket list or show.\n")
}

func (a *App) printCommandHelp(cmd *command, fs *flag.FlagSet) {
	w := a.Stdout
	fmt.Fprintf(w, "Usage: loket %s %s\n\n%s\n\nFlags:\n", cmd.name, cmd.args, cmd.summary)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}
