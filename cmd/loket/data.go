package main

// The database itself, local by nature: backup, check and demo.

import (
	"flag"
	"fmt"

	"github.com/loket-id/loket/demo"
	"github.com/loket-id/loket/internal/cli"
	"github.com/loket-id/loket/store"
)

func dataCommands() []*command {
	return []*command{
		{Name: "backup", Args: "FILE", Summary: "write a consistent copy of the database, even while it is in use", Owned: true,
			Flags: cli.NoFlags(runBackup)},
		{Name: "check", Args: "", Summary: "verify the database (bbolt pages and the store's invariants)", Owned: true, Flags: checkFlags},
		{Name: "demo", Args: "[--days N] [--seed S] [--force]", Summary: "fill the database with a realistic simulated history",
			Owned: true, Flags: demoFlags},
	}
}

func runBackup(e *env, args []string) error {
	file, err := oneArg(e, args, "FILE")
	if err != nil {
		return err
	}
	st, err := e.store(reads)
	if err != nil {
		return err
	}
	n, err := st.BackupFile(e.abs(file))
	if err != nil {
		return err
	}
	fmt.Fprintln(e.out(), e.t().S("cmd.backup.written", e.abs(file), n))
	return nil
}

// readLocal starts a command that reads the local database, takes no
// arguments and prints text or json: it checks both, then opens the store.
func (e *env) readLocal(args []string, format string) (*store.Store, error) {
	if err := noArgs(e, args); err != nil {
		return nil, err
	}
	if err := checkFormat(format, "text", "json"); err != nil {
		return nil, err
	}
	return e.store(reads)
}

func checkFlags(fs *flag.FlagSet) runner {
	format := formatFlag(fs, false)
	return func(e *env, args []string) error {
		st, err := e.readLocal(args, *format)
		if err != nil {
			return err
		}
		rep, err := st.Check(e.ctx)
		if err != nil {
			return err
		}
		if *format == "json" {
			if err := writeJSON(e.out(), rep); err != nil {
				return err
			}
		} else {
			fmt.Fprintln(e.out(), e.t().S("cmd.check.counts", st.Path(), rep.Requests, rep.Events))
			for _, p := range rep.Problems {
				fmt.Fprintln(e.out(), e.t().S("cmd.check.problem", p))
			}
			if rep.OK() {
				fmt.Fprintln(e.out(), "ok")
			}
		}
		if !rep.OK() {
			e.log().Error("check found problems", "problems", len(rep.Problems))
			return &exitError{Code: exitFailure, Err: e.t().E("cmd.check.failed", len(rep.Problems))}
		}
		return nil
	}
}

func demoFlags(fs *flag.FlagSet) runner {
	days := fs.Int("days", 30, "days of history, ending today")
	seed := fs.Int("seed", 1, "random seed")
	force := fs.Bool("force", false, "add to a database that already has requests")
	return func(e *env, args []string) error {
		if err := noArgs(e, args); err != nil {
			return err
		}
		if *days < 1 || *days > 3660 {
			return usagef("--days must be 1 to 3660")
		}
		st, err := e.store(once)
		if err != nil {
			return err
		}
		sum, err := demo.Generate(e.ctx, st, demo.Options{Days: *days, Seed: int64(*seed), Force: *force})
		if err != nil {
			return err
		}
		// The night after the history: the file as an office's is in
		// the morning, after the nightly purge's compaction.
		if err := st.Tidy(e.ctx); err != nil {
			return err
		}
		fmt.Fprintln(e.out(), e.t().S("cmd.demo.done", sum.Requests, sum.Days, sum.Done, sum.NoShow, sum.Cancelled, sum.Transferred, sum.Open))
		return nil
	}
}
