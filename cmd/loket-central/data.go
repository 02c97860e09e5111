package main

// The database itself: check and backup.

import (
	"flag"
	"fmt"

	"github.com/loket-id/loket/internal/cli"
)

func dataCommands() []*command {
	return []*command{
		{Name: "check", Summary: "verify the database", Owned: true, Accepts: cli.ExactArgs(0), Flags: cli.NoFlags(runCheck)},
		{Name: "backup", Summary: "write a consistent copy of the database", Owned: true, Accepts: cli.ExactArgs(1), Flags: cli.NoFlags(runBackup)},
		{Name: "purge", Summary: "erase the personal part of every request closed before a date (the centre's retention); then compact",
			Owned: true, Accepts: cli.ExactArgs(0), Flags: purgeFlags},
		{Name: "compact", Summary: "rewrite the database with only its live data, so that nothing erased stays in the file",
			Owned: true, Accepts: cli.ExactArgs(0), Flags: cli.NoFlags(runCompact)},
	}
}

// purgeFlags: purge --before DATE [--dry-run] [--format text|json].
func purgeFlags(fs *flag.FlagSet) runner {
	before := fs.String("before", "", "erase requests closed before this date, YYYY-MM-DD (required)")
	dryRun := fs.Bool("dry-run", false, "list what would be erased; write nothing")
	format := formatFlag(fs)
	return func(e *env, _ []string) error {
		if err := checkFormat(e, *format, "text", "json"); err != nil {
			return err
		}
		if *before == "" {
			return cli.Usagef("purge needs --before DATE (YYYY-MM-DD)")
		}
		st, err := e.storage()
		if err != nil {
			return err
		}
		out, err := st.Purge(*before, *dryRun)
		if err != nil {
			return fmt.Errorf("purge: %w", err)
		}
		if *format == "json" {
			return writeJSON(e.out(), out)
		}
		verb := "erased"
		if out.DryRun {
			verb = "would erase"
		}
		fmt.Fprintf(e.out(), "%s the personal part of %d requests closed before %s\n", verb, len(out.Requests), *before)
		return nil
	}
}

func runCompact(e *env, _ []string) error {
	st, err := e.storage()
	if err != nil {
		return err
	}
	before, after, err := st.Compact()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.out(), "compacted %s: %d bytes, was %d\n", st.Path(), after, before)
	return nil
}

func runCheck(e *env, _ []string) error {
	st, err := e.storage()
	if err != nil {
		return err
	}
	problems, err := st.Check()
	if err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintln(e.out(), "PROBLEM:", p)
	}
	if len(problems) > 0 {
		return &cli.ExitError{Code: cli.ExitFailure, Err: fmt.Errorf("check found %d problems", len(problems))}
	}
	fmt.Fprintln(e.out(), "ok")
	return nil
}

func runBackup(e *env, args []string) error {
	st, err := e.storage()
	if err != nil {
		return err
	}
	path := e.abs(args[0])
	if err := st.Backup(path); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(e.out(), "backup written to %s\n", path)
	return nil
}
