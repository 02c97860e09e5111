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
	onSKM := fs.Bool("skm", false, "the one-page satisfaction survey (SKM) report of this database's answers (--from/--to or --month; all dates by default)")
	from := fs.String("from", "", "with --skm: first day of the answers, YYYY-MM-DD")
	to := fs.String("to", "", "with --skm: last day of the answers, YYYY-MM-DD")
	return func(e *env, args []string) error {
		if err := noArgs(e, args); err != nil {
			return err
		}
		if *out == "" {
			return usagef("report needs --out FILE")
		}
		if *onSKM {
			switch {
			case *central:
				return usagef("report --skm is this database's answers: the whole office's is loket-central report --skm")
			case *date != "":
				return usagef("report --skm takes --from/--to or --month, not --date")
			case *month != "" && (*from != "" || *to != ""):
				return usagef("give --month or --from/--to, not both")
			}
			return skmReport(e, *from, *to, *month, *out)
		}
		if *from != "" || *to != "" {
			return usagef("report takes --from and --to only with --skm (a day is --date, a month --month)")
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

// skmReport writes the one-page SKM report (report.RenderSKM) of the
// answers of this database (or the hub's) from day from to day to, or of
// month (YYYY-MM).
func skmReport(e *env, from, to, month, out string) error {
	t := e.t()
	var period string
	if month != "" {
		m, err := time.Parse("2006-01", month)
		if err != nil {
			return usagef("--month %q is not YYYY-MM", month)
		}
		from, to, period = m.Format(time.DateOnly), m.AddDate(0, 1, -1).Format(time.DateOnly), t.MonthYear(m)
	}
	if _, _, err := cli.Days(from, to, ""); err != nil {
		return err // before the database is opened
	}
	q, err := e.queue(reads)
	if err != nil {
		return err
	}
	s, err := surveySummary(e, q, "", from, to)
	if err != nil {
		return err
	}
	if period == "" {
		period = s.Period(t)
	}
	svcs, err := q.Services(e.ctx)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, sv := range svcs {
		names[sv.Code] = sv.Name(e.lang)
	}
	d := report.SKMData{Office: e.cfg.Office.Name, Lang: e.lang, Period: period, Summary: s, Services: names,
		Made: q.Now().In(q.Location()), Counter: e.cfg.Station.Code,
		Place: reportPlace(e.cfg.Report.Place, e.cfg.Office.Address), Head: e.cfg.Office.Head, Supervisor: e.cfg.Report.Supervisor}
	var buf bytes.Buffer
	if err := report.RenderSKM(&buf, d); err != nil {
		return err
	}
	path := e.abs(out)
	if err := atomicfile.Write(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	fmt.Fprintln(e.out(), t.S("cmd.report.skm", period, s.Total.Respondents, s.Total.IKM().String(), path))
	return nil
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
