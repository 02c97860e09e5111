// Command loket is the counter program of a one-stop public-service office:
// with no arguments it opens the terminal UI; its subcommands do the same
// work without a screen, for scripts, cron and tests. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	app := newApp()
	err := app.Run(ctx, os.Args[1:])
	stop()
	os.Exit(exitCode(err, app.Stderr))
}
