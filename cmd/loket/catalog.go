package main

// The service catalog: services, and services import FILE.

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/loket-id/loket/queue"
)

func catalogCommands() []*command {
	return []*command{
		{Name: "services", Args: "[import FILE]", Summary: "list the service catalog, or replace it from a TOML or JSON file",
			Owned: true, Flags: servicesFlags},
	}
}

func servicesFlags(fs *flag.FlagSet) runner {
	format := formatFlag(fs, false)
	return func(e *env, args []string) error {
		if err := checkFormat(*format, "text", "json"); err != nil {
			return err
		}
		var file string
		switch {
		case len(args) == 0:
		case len(args) == 2 && args[0] == "import":
			file = e.abs(args[1])
		default:
			return usagef("services takes no arguments, or: import FILE")
		}
		var svcs []queue.Service
		if file != "" {
			data, err := os.ReadFile(file)
			if err != nil {
				return fmt.Errorf("import catalog: %w", err)
			}
			format := strings.TrimPrefix(strings.ToLower(filepath.Ext(file)), ".")
			if svcs, err = queue.ParseCatalog(data, format); err != nil {
				return fmt.Errorf("import catalog %s: %w", file, err)
			}
		}
		how := reads
		if file != "" {
			how = keyed
		}
		q, err := e.queue(how)
		if err != nil {
			return err
		}
		if file != "" {
			_, again, err := q.ReplaceCatalogOnce(e.ctx, e.key, svcs, e.actor(nil))
			e.noteAgain(again)
			if err != nil {
				return fmt.Errorf("import catalog %s: %w", file, err)
			}
			fmt.Fprintln(e.app.Stderr, e.t().S("cmd.services.replaced", len(svcs), file))
		}
		all, err := q.Services(e.ctx)
		if err != nil {
			return err
		}
		if *format == "json" {
			return writeJSON(e.out(), all)
		}
		return printServices(e, all)
	}
}
