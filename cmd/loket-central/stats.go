package main

// The figures of every station: stats.

import (
	"flag"
	"time"

	"github.com/loket-id/loket/i18n"
	"github.com/loket-id/loket/internal/cli"
	"github.com/loket-id/loket/stats"
	"github.com/loket-id/loket/sync/central"
)

func statsCommands() []*command {
	return []*command{
		{Name: "stats", Summary: "queue statistics of every station", Owned: true, Accepts: cli.ExactArgs(0), Flags: statsFlags},
	}
}

func statsFlags(fs *flag.FlagSet) runner {
	scope := declareScope(fs)
	service := fs.String("service", "", "statistics of one service only")
	from := fs.String("from", "", "first day, YYYY-MM-DD")
	to := fs.String("to", "", "last day, YYYY-MM-DD")
	by := fs.String("by", "service", "statistics breakdown: service, counter, clerk, hour or day")
	tz := zoneFlag(fs)
	format := formatFlag(fs)
	return func(e *env, _ []string) error {
		if err := checkFormat(e, *format, "text", "json", "csv"); err != nil {
			return err
		}
		if _, _, err := cli.Days(*from, *to, ""); err != nil {
			return err
		}
		if _, err := (stats.Figures{}).Table(*by); err != nil {
			return cli.Usagef("%v", err)
		}
		loc, err := zone(*tz, time.Local)
		if err != nil {
			return err
		}
		from, to, err := cli.Days(*from, *to, time.Now().In(loc).Format(time.DateOnly))
		if err != nil {
			return err
		}
		var hourZone *time.Location // each request's office zone, unless --timezone says otherwise
		if *tz != "" {
			hourZone = loc
		}
		st, err := e.storage()
		if err != nil {
			return err
		}
		f, err := central.Stats(st, scope.office, scope.station, *service, from, to, hourZone)
		if err != nil {
			return err
		}
		switch *format {
		case "json":
			return writeJSON(e.out(), f)
		case "csv":
			return f.WriteCSV(e.out(), *by)
		}
		return f.WriteText(e.out(), *by, i18n.For("en"))
	}
}
