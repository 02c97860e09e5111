package main

// The process that holds the database: daemon (the terminal UI, ui.go, is
// the other).

import (
	"fmt"
	"path/filepath"

	"github.com/loket-id/loket/internal/cli"
	"github.com/loket-id/loket/relay"
)

func daemonCommands() []*command {
	return []*command{
		{Name: "daemon", Args: "", Summary: "hold the database and answer other loket commands (for kiosks and tests)", Flags: cli.NoFlags(runDaemon)},
		{Name: "ui", Args: "[--data DIR] [--config FILE] [--lang id|en]", Summary: "open the terminal UI (the same as loket with no command)",
			Flags: cli.NoFlags(runUI)},
	}
}

// runDaemon holds the database and answers forwarded commands until it is
// stopped (SIGINT or SIGTERM).
func runDaemon(e *env, args []string) error {
	if err := noArgs(e, args); err != nil {
		return err
	}
	st, err := e.openOwned()
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(e.app.Stderr, "loket daemon: holding %s, answering on %s\n", st.Path(), filepath.Join(e.dataDir, relay.FileName))
	return serveOwner(e.ctx, st, e.dataDir, nil)
}
