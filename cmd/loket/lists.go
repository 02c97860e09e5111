package main

// The commands that read the queue: list, find, show and export.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/loket-id/loket/internal/atomicfile"
	"github.com/loket-id/loket/internal/cli"
	"github.com/loket-id/loket/queue"
)

func listCommands() []*command {
	return []*command{
		{Name: "show", Args: "REF", Summary: "show one request and its history", Owned: true, Flags: showFlags},
		{Name: "list", Args: "[--date YYYY-MM-DD] [--status S]", Summary: "list the queue of a day (today by default)", Owned: true, Flags: listFlags},
		{Name: "find", Args: "TEXT", Summary: "search by ticket, tracking code, NIK or name", Owned: true, Flags: findFlags},
		{Name: "export", Args: "[--from DATE] [--to DATE] --format json|csv [--out FILE] [--unmasked]", Summary: "export every request of a date range (NIK and phone masked unless --unmasked)",
			Owned: true, Flags: exportFlags},
		{Name: "person", Args: "NIK", Summary: "everything held about one NIK, unmasked (logged in access.log)", Owned: true, Flags: personFlags},
	}
}

func showFlags(fs *flag.FlagSet) runner {
	format := formatFlag(fs, false)
	return func(e *env, args []string) error {
		ref, err := oneArg(e, args, "REF")
		if err != nil {
			return err
		}
		if err := checkFormat(*format, "text", "json"); err != nil {
			return err
		}
		q, err := e.queue(reads)
		if err != nil {
			return err
		}
		r, hist, err := q.Detail(e.ctx, ref)
		if err != nil {
			return err
		}
		return printShow(e, q.Location(), *format, r, hist)
	}
}

func listFlags(fs *flag.FlagSet) runner {
	day := fs.String("date", "", "day to list, YYYY-MM-DD (default today)")
	status := fs.String("status", "", "only this status")
	format := formatFlag(fs, true)
	return func(e *env, args []string) error {
		if err := noArgs(e, args); err != nil {
			return err
		}
		if err := checkFormat(*format, "text", "json", "csv"); err != nil {
			return err
		}
		if *day != "" {
			if err := cli.Day("date", *day); err != nil {
				return err
			}
		}
		var only queue.Status
		if *status != "" {
			var err error
			if only, err = queue.ParseStatus(*status); err != nil {
				return err
			}
		}
		q, err := e.queue(reads)
		if err != nil {
			return err
		}
		all, err := q.DayQueue(e.ctx, *day) // "": today
		if err != nil {
			return err
		}
		var rs []queue.Request
		for _, r := range all {
			if only == "" || r.Status == only {
				rs = append(rs, r)
			}
		}
		return printRequests(e, q, *format, rs)
	}
}

func findFlags(fs *flag.FlagSet) runner {
	format := formatFlag(fs, true)
	return func(e *env, args []string) error {
		if len(args) == 0 {
			return usagef("find needs the text to search for")
		}
		if err := checkFormat(*format, "text", "json", "csv"); err != nil {
			return err
		}
		q, err := e.queue(reads)
		if err != nil {
			return err
		}
		rs, err := q.Find(e.ctx, strings.Join(args, " "), 50)
		if err != nil {
			return err
		}
		return printRequests(e, q, *format, rs)
	}
}

func exportFlags(fs *flag.FlagSet) runner {
	from := fs.String("from", "", "first day, YYYY-MM-DD (default the first)")
	to := fs.String("to", "", "last day, YYYY-MM-DD (default the last)")
	format := fs.String("format", "csv", "json or csv")
	out := fs.String("out", "", "write to FILE instead of standard output")
	unmasked := fs.Bool("unmasked", false, "write NIK and phone in full (recorded in access.log)")
	return func(e *env, args []string) error {
		if err := noArgs(e, args); err != nil {
			return err
		}
		if err := checkFormat(*format, "json", "csv"); err != nil {
			return err
		}
		from, to, err := cli.Days(*from, *to, "") // "": open ends
		if err != nil {
			return err
		}
		q, err := e.queue(reads)
		if err != nil {
			return err
		}
		var access *accessLog
		if *unmasked {
			if access, err = e.openAccess(); err != nil {
				return err
			}
		}
		rows := 0
		export := func(w io.Writer) error {
			ew := queue.NewExportWriter(w, *format)
			rows = 0
			if err := q.Between(e.ctx, from, to, func(r queue.Request) error {
				if !*unmasked {
					r = masked(r)
				}
				rows++
				return ew.Write(queue.ExportRecord(r, q.Location()))
			}); err != nil {
				return fmt.Errorf("export: %w", err)
			}
			if err := ew.Close(); err != nil {
				return fmt.Errorf("export: %w", err)
			}
			return nil
		}
		logged := func(err error) error {
			if access == nil || rows == 0 && err != nil {
				return err
			}
			// Rows were written, whole or not: the access happened.
			return errors.Join(err, access.record(accessEntry{Command: "export --unmasked", Rows: rows, From: from, To: to}))
		}
		if *out == "" {
			return logged(export(e.out()))
		}
		// The file may hold full NIKs and phone numbers: the user's alone.
		var exportErr error
		err = atomicfile.WriteWith(e.abs(*out), 0o600, func(w io.Writer) error {
			exportErr = export(w)
			return exportErr
		})
		if exportErr != nil {
			return exportErr // the file was not written
		}
		if err != nil {
			return fmt.Errorf("export to %s: %w", *out, err)
		}
		return logged(nil)
	}
}
