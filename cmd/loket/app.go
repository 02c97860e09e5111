package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/x/term"

	"github.com/loket-id/loket/config"
	"github.com/loket-id/loket/internal/cli"
	"github.com/loket-id/loket/office"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/sync/station"
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
	syncer *station.Syncer
	// key is the idempotency key a forwarded command came with.
	key string
	// office, when set, is the office queue that the queue commands work
	// on instead of the database (tests; next, the office hub's client).
	office office.Queue
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

// command is one of loket's commands; each area of them is in its own file
// (queue.go, lists.go, catalog.go, stats.go, report.go, data.go, sync.go,
// daemon.go, ui.go, setup.go, hub.go).
type command = cli.Command[*env]

// runner is what a command does; its Flags return it.
type runner = cli.Run[*env]

var (
	registryOnce sync.Once
	registryAll  *cli.Registry[*env]
)

// commands is every command.
func commands() *cli.Registry[*env] {
	registryOnce.Do(func() {
		var all []*command
		for _, area := range [][]*command{setupCommands(), queueCommands(), listCommands(), catalogCommands(),
			statsCommands(), dataCommands(), privacyCommands(), syncCommands(), daemonCommands(), hubCommands()} {
			all = append(all, area...)
		}
		registryAll = cli.NewRegistry("loket", all...)
	})
	return registryAll
}

// globals are the flags every command takes.
type globals struct{ data, config, lang string }

func (g *globals) declare(fs *flag.FlagSet) {
	fs.StringVar(&g.data, "data", "", "data directory (default $LOKET_DATA or ~/.local/share/loket)")
	fs.StringVar(&g.config, "config", "", "config file (default $LOKET_CONFIG or ~/.config/loket/config.toml)")
	fs.StringVar(&g.lang, "lang", "", "language: id or en (default $LOKET_LANG, config, locale)")
}

// env is what a running command has: the App, its name and command line,
// the config and the data directory. Its database comes from e.queue or
// e.store (wire.go), which open it, or send the command to its owner.
type env struct {
	app     *App
	ctx     context.Context
	name    string
	g       globals
	cfg     config.Config
	cfgPath string
	dataDir string
	lang    string
	rawArgs []string
	// ref is the request the command names (REF), for its errors.
	ref string
	// key is the idempotency key of a keyed command: made when it asks for
	// the database, or the one a forwarded command came with. The same key
	// acts once.
	key string
	// closers close what was opened for the command.
	closers []func() error
	// logger is the command's log (see e.log), once opened.
	logger *slog.Logger
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
	cmds := commands()
	cmd, words, ok := lookupCommand(cmds, append([]string{name}, args[1:]...))
	if !ok {
		a.printUsage(a.Stderr)
		return usagef("unknown command %q", name)
	}
	e := &env{app: a, ctx: ctx, name: cmd.Name, rawArgs: args, key: a.key}
	run, pos, fs, err := cmds.Parse(cmd, args[words:], e.g.declare)
	if errors.Is(err, flag.ErrHelp) {
		cmds.PrintHelp(a.Stdout, cmd, fs)
		return nil
	}
	if err != nil {
		return err
	}
	if e.cfgPath, err = config.Path(e.g.config, a.Getenv, a.Cwd); err != nil {
		return err
	}
	if e.dataDir, err = config.DataDir(e.g.data, a.Getenv, a.Cwd); err != nil {
		return err
	}
	if e.cfg, err = config.Load(e.cfgPath); err != nil {
		return err
	}
	e.lang = config.Lang(e.g.lang, e.cfg, a.Getenv)
	defer e.close()
	if err := run(e, pos); !errors.Is(err, errRelayed) {
		return e.say(err)
	}
	return nil
}

// lookupCommand is the command that the leading words of args name, the
// longest first ("hub counter add" before "hub"), and how many words its
// name has.
func lookupCommand(cmds *cli.Registry[*env], args []string) (*command, int, bool) {
	for n := min(3, len(args)); n >= 1; n-- {
		if slices.ContainsFunc(args[1:n], func(a string) bool { return strings.HasPrefix(a, "-") }) {
			continue
		}
		if cmd, ok := cmds.Lookup(strings.Join(args[:n], " ")); ok {
			return cmd, n, true
		}
	}
	return nil, 0, false
}

func isHelpOrVersion(a string) bool {
	switch a {
	case "-h", "--help", "-help", "-v", "--version":
		return true
	}
	return false
}

func (a *App) printUsage(w io.Writer) {
	fmt.Fprint(w, `loket: the counter program of a one-stop public-service office.

Usage:
  loket                  open the terminal UI
  loket COMMAND [flags]  run one command without a screen

Commands:
`)
	commands().PrintList(w)
	fmt.Fprint(w, "\nEvery command takes --help, --data DIR, --config FILE and --lang id|en.\n"+
		"Exit codes: 0 success, 2 bad usage or invalid input, 1 other failure (sync: 3 unreachable, 4 refused),\n"+
		"5 the counter program did not answer, so whether the change was made is unknown: look with loket list or show.\n")
}

// The flags several commands take.

// formatFlag declares --format: text or json, and csv for a table.
func formatFlag(fs *flag.FlagSet, table bool) *string {
	help := "output: text or json"
	if table {
		help = "output: text, json or csv"
	}
	return fs.String("format", "text", help)
}

// actorFlags are --clerk and --counter: who acts, over the config's.
type actorFlags struct{ clerk, counter string }

func declareActor(fs *flag.FlagSet) *actorFlags {
	a := &actorFlags{}
	fs.StringVar(&a.clerk, "clerk", "", "clerk name (default from config)")
	fs.StringVar(&a.counter, "counter", "", "counter code (default from config)")
	return a
}

// actor is who this counter is: the config's, over which f (if any) says.
func (e *env) actor(f *actorFlags) queue.Actor {
	a := queue.Actor{Counter: e.cfg.Station.Code, Clerk: e.cfg.Clerk.Name}
	if f != nil && f.counter != "" {
		a.Counter = f.counter
	}
	if f != nil && f.clerk != "" {
		a.Clerk = f.clerk
	}
	return a
}

var checkFormat = cli.Format

func oneArg(e *env, args []string, what string) (string, error) {
	if len(args) != 1 {
		return "", usagef("%s needs exactly one %s (see loket %s --help)", e.name, what, e.name)
	}
	if what == "REF" {
		e.ref = args[0]
	}
	return args[0], nil
}

func noArgs(e *env, args []string) error {
	if len(args) != 0 {
		return usagef("%s takes no arguments, got %q", e.name, strings.Join(args, " "))
	}
	return nil
}
