package main

// The published catalog: catalog publish.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/loket-id/loket/internal/cli"
	"github.com/loket-id/loket/queue"
)

func catalogCommands() []*command {
	return []*command{
		{Name: "catalog publish", Summary: "publish the service catalog that stations adopt", Owned: true, Accepts: cli.ExactArgs(1),
			Flags: cli.NoFlags(runCatalogPublish)},
	}
}

func runCatalogPublish(e *env, args []string) error {
	path := e.abs(args[0])
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("publish catalog: %w", err)
	}
	svcs, err := queue.ParseCatalog(data, strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), "."))
	if err != nil {
		return fmt.Errorf("publish catalog %s: %w", path, err)
	}
	st, err := e.storage()
	if err != nil {
		return err
	}
	v, err := st.PublishCatalog(svcs)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.out(), "catalog version %d published (%d services); stations adopt it on their next sync\n", v, len(svcs))
	return nil
}
