package main

// The PDF statistics report of a day or a month: report.

import (
	"bytes"
	"flag"
	"fmt"
	"time"

	"github.com/loket-id/loket/internal/atomicfile"
	"github.com/loket-id/loket/internal/cli"
	"github.com/loket-id/loket/report"
	"github.com/loket-id/loket/stats"
)

var monthsID = []string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"}

// reportFlags: report writes the PDF report of a day (default today) or a month.
func reportFlags(fs *flag.FlagSet) runner {
	date := fs.String("date", "", "the day, YYYY-MM-DD (default today)")
	month := fs.String("month", "", "the month, YYYY-MM")
	out := fs.String("out", "", "the PDF file to write")
	return func(e *env, args []string) error {
		if err := noArgs(e, args); err != nil {
			return err
		}
		if *out == "" {
			return usagef("report needs --out FILE")
		}
		if *date != "" && *month != "" {
			return usagef("give --date or --month, not both")
		}
		var m time.Time
		if *month != "" {
			var err error
			if m, err = time.Parse("2006-01", *month); err != nil {
				return usagef("--month %q is not YYYY-MM", *month)
			}
		} else if *date != "" {
			if err := cli.Day("date", *date); err != nil {
				return err
			}
		}
		q, err := e.queue(reads)
		if err != nil {
			return err
		}
		var from, to, period string
		perDay := false
		if *month != "" {
			from, to, perDay = m.Format(time.DateOnly), m.AddDate(0, 1, -1).Format(time.DateOnly), true
			period = m.Format("January 2006")
			if e.lang == "id" {
				period = fmt.Sprintf("%s %d", monthsID[m.Month()-1], m.Year())
			}
		} else {
			from = *date
			if from == "" {
				from = q.Today()
			}
			d, _ := time.Parse(time.DateOnly, from)
			to, period = from, d.Format("Monday, 2 January 2006")
			if e.lang == "id" {
				period = fmt.Sprintf("%d %s %d", d.Day(), monthsID[d.Month()-1], d.Year())
			}
		}
		f, err := stats.ForStation(e.ctx, q, from, to, "")
		if err != nil {
			return err
		}
		svcs, err := q.Services(e.ctx)
		if err != nil {
			return err
		}
		names := map[string]string{}
		for _, s := range svcs {
			names[s.Code] = s.Name(e.lang)
		}
		var buf bytes.Buffer
		if err := report.Render(&buf, report.Data{Office: e.cfg.Office.Name, Lang: e.lang, Period: period,
			Figures: f, Services: names, PerDay: perDay, Made: q.Now().In(q.Location())}); err != nil {
			return err
		}
		path := e.abs(*out)
		if err := atomicfile.Write(path, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		fmt.Fprintf(e.out(), "report %s (%s .. %s, %d arrivals) written to %s\n", period, from, to, f.Arrivals, path)
		return nil
	}
}
