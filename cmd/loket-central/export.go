package main

// Every station's requests: export.

import (
	"flag"
	"time"

	"github.com/loket-id/loket/internal/cli"
	"github.com/loket-id/loket/queue"
)

func exportCommands() []*command {
	return []*command{
		{Name: "export", Summary: "export the requests of a date range (NIK and phone masked unless --unmasked)", Owned: true, Accepts: cli.ExactArgs(0), Flags: exportFlags},
	}
}

func exportFlags(fs *flag.FlagSet) runner {
	scope := declareScope(fs)
	from := fs.String("from", "", "first day, YYYY-MM-DD")
	to := fs.String("to", "", "last day, YYYY-MM-DD")
	tz := zoneFlag(fs)
	format := formatFlag(fs)
	unmasked := fs.Bool("unmasked", false, "write NIK and phone in full (as loket export --unmasked)")
	return func(e *env, _ []string) error {
		if *format == "text" {
			return cli.Usagef("export needs --format json or csv")
		}
		if err := checkFormat(e, *format, "json", "csv"); err != nil {
			return err
		}
		from, to, err := cli.Days(*from, *to, "") // "": open ends
		if err != nil {
			return err
		}
		loc, err := zone(*tz, time.Local)
		if err != nil {
			return err
		}
		st, err := e.storage()
		if err != nil {
			return err
		}
		ew := queue.NewExportWriter(e.out(), *format)
		if err := st.Export(scope.office, scope.station, from, to, func(r queue.Request) error {
			if !*unmasked {
				r.NIK, r.Phone = queue.MaskNIK(r.NIK), queue.MaskPhone(r.Phone)
			}
			return ew.Write(queue.ExportRecord(r, loc))
		}); err != nil {
			return err
		}
		return ew.Close()
	}
}
