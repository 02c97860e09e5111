package main

// The PDF statistics report of a day or a month: report, of this counter's
// database or (--central) the whole office's figures from the central
// server.

import (
	"bytes"
	"flag"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/loket-id/loket/internal/atomicfile"
	"github.com/loket-id/loket/internal/cli"
	"github.com/loket-id/loket/report"
	"github.com/loket-id/loket/stats"
)

// reportFlags: report writes the PDF report of a day (default today) or a month.
func reportFlags(fs *flag.FlagSet) runner {
	date := fs.String("date", "", "the day, YYYY-MM-DD (default today)")
	month := fs.String("month", "", "the month, YYYY-MM")
	out := fs.String("out", "", "the PDF file to write")
	central := fs.Bool("central", false, "the whole office's figures, from the central server")
	server := fs.String("server", "", "central server URL (with --central)")
	token := fs.String("token", "", "station token (with --central)")
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
		if !*central && (*server != "" || *token != "") {
			return usagef("report takes --server and --token only with --central")
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
		t := e.t()
		var from, to, period string
		perDay := false
		if *month != "" {
			from, to, perDay = m.Format(time.DateOnly), m.AddDate(0, 1, -1).Format(time.DateOnly), true
			period = t.MonthYear(m)
		} else {
			from = *date
			if from == "" {
				from = q.Today()
			}
			d, _ := time.Parse(time.DateOnly, from)
			to, period = from, t.LongDate(d)
		}
		var f stats.Figures
		if *central {
			f, err = centralStats(e, from, to, "", *server, *token)
		} else {
			f, err = stats.ForStation(e.ctx, q, from, to, "")
		}
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
		d := report.Data{Office: e.cfg.Office.Name, Lang: e.lang, Period: period,
			Figures: f, Services: names, PerDay: perDay, Made: q.Now().In(q.Location()),
			Central: *central, Place: reportPlace(e.cfg.Report.Place, e.cfg.Office.Address),
			Head: e.cfg.Office.Head, Supervisor: e.cfg.Report.Supervisor}
		if !*central {
			d.Counter = e.cfg.Station.Code
		}
		var buf bytes.Buffer
		if err := report.Render(&buf, d); err != nil {
			return err
		}
		path := e.abs(*out)
		if err := atomicfile.Write(path, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		scope := t.S("cmd.report.local", d.Counter)
		if *central {
			scope = t.S("cmd.report.central")
		}
		fmt.Fprintln(e.out(), t.S("cmd.report.written", period, from, to, f.Arrivals, scope, path))
		return nil
	}
}

// reportPlace is where the report is signed: the config's [report] place,
// else the city the office's address ends with ("Jl. Wastukencana No. 2,
// Bandung 40117": Bandung), else "".
func reportPlace(place, address string) string {
	if p := strings.TrimSpace(place); p != "" {
		return p
	}
	parts := strings.Split(address, ",")
	last := strings.TrimSpace(parts[len(parts)-1])
	if len(parts) < 2 && strings.ContainsFunc(last, unicode.IsDigit) {
		return "" // a street alone, without a city
	}
	city := strings.TrimFunc(strings.TrimRightFunc(last, func(r rune) bool { return unicode.IsDigit(r) || r == ' ' || r == '-' }), unicode.IsSpace)
	city = strings.TrimPrefix(strings.TrimPrefix(city, "Kota "), "Kabupaten ")
	return city
}
