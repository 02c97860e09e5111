package main

import (
	"bytes"
	"fmt"
	"time"

	"github.com/loket-id/loket/config"
	"github.com/loket-id/loket/report"
	"github.com/loket-id/loket/stats"
)

var monthsID = []string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"}

// runReport writes the PDF report of a day (default today) or a month.
func runReport(e *env, args []string) error {
	if err := noArgs(e, args); err != nil {
		return err
	}
	if e.o.out == "" {
		return usagef("report needs --out FILE")
	}
	if e.o.date != "" && e.o.month != "" {
		return usagef("give --date or --month, not both")
	}
	var from, to, period string
	perDay := false
	switch {
	case e.o.month != "":
		m, err := time.Parse("2006-01", e.o.month)
		if err != nil {
			return usagef("--month %q is not YYYY-MM", e.o.month)
		}
		from, to, perDay = m.Format(time.DateOnly), m.AddDate(0, 1, -1).Format(time.DateOnly), true
		period = m.Format("January 2006")
		if e.lang == "id" {
			period = fmt.Sprintf("%s %d", monthsID[m.Month()-1], m.Year())
		}
	default:
		from = e.o.date
		if from == "" {
			from = e.st.Today()
		}
		d, err := time.Parse(time.DateOnly, from)
		if err != nil {
			return usagef("--date %q is not YYYY-MM-DD", from)
		}
		to, period = from, d.Format("Monday, 2 January 2006")
		if e.lang == "id" {
			period = fmt.Sprintf("%d %s %d", d.Day(), monthsID[d.Month()-1], d.Year())
		}
	}
	f, err := stats.ForStation(e.ctx, e.st, from, to, "")
	if err != nil {
		return err
	}
	svcs, err := e.st.Services(e.ctx)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, s := range svcs {
		names[s.Code] = s.Name(e.lang)
	}
	var buf bytes.Buffer
	if err := report.Render(&buf, report.Data{Office: e.cfg.Office.Name, Lang: e.lang, Period: period,
		Figures: f, Services: names, PerDay: perDay, Made: e.st.Now().In(e.st.Location())}); err != nil {
		return err
	}
	out := e.abs(e.o.out)
	if err := config.WriteFileAtomic(out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	fmt.Fprintf(e.out(), "report %s (%s .. %s, %d arrivals) written to %s\n", period, from, to, f.Arrivals, out)
	return nil
}
