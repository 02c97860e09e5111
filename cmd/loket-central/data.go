package main

// The database itself: check and backup.

import (
	"fmt"

	"github.com/loket-id/loket/internal/cli"
)

func dataCommands() []*command {
	return []*command{
		{Name: "check", Summary: "verify the database", Owned: true, Accepts: cli.ExactArgs(0), Flags: cli.NoFlags(runCheck)},
		{Name: "backup", Summary: "write a consistent copy of the database", Owned: true, Accepts: cli.ExactArgs(1), Flags: cli.NoFlags(runBackup)},
	}
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
