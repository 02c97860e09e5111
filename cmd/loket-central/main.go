// Command loket-central is the central server that counters sync to, and
// its administration: stations and their tokens, the published catalog,
// exports and checks. See README.md and sync/PROTOCOL.md.
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
