package main

// The figures of every station: stats.

import (
	"bytes"
	"flag"
	"fmt"
	"time"

	"github.com/loket-id/loket/i18n"
	"github.com/loket-id/loket/internal/atomicfile"
	"github.com/loket-id/loket/internal/cli"
	"github.com/loket-id/loket/report"
	"github.com/loket-id/loket/skm"
	"github.com/loket-id/loket/stats"
	"github.com/loket-id/loket/sync/central"
)

func statsCommands() []*command {
	return []*command{
		{Name: "stats", Summary: "queue statistics of every station (--skm: the satisfaction survey's index)", Owned: true, Accepts: cli.ExactArgs(0), Flags: statsFlags},
		{Name: "report", Summary: "write the one-page satisfaction survey (SKM) report PDF: report --skm --out FILE", Owned: true, Accepts: cli.ExactArgs(0), Flags: reportFlags},
	}
}

func statsFlags(fs *flag.FlagSet) runner {
	scope := declareScope(fs)
	service := fs.String("service", "", "statistics of one service only")
	from := fs.String("from", "", "first day, YYYY-MM-DD")
	to := fs.String("to", "", "last day, YYYY-MM-DD")
	by := fs.String("by", "", "statistics breakdown: service (default), counter, clerk, hour or day; with --skm element (default), service, office or month")
	onSKM := fs.Bool("skm", false, "the satisfaction survey (SKM): respondents and the index (IKM) per element, service, office or month (all dates unless --from/--to)")
	tz := zoneFlag(fs)
	format := formatFlag(fs)
	return func(e *env, _ []string) error {
		if err := checkFormat(e, *format, "text", "json", "csv"); err != nil {
			return err
		}
		if *onSKM {
			if scope.station != "" {
				return cli.Usagef("stats --skm counts by office: --station is not taken")
			}
			if err := skm.CheckBy(*by); err != nil {
				return cli.Usagef("%v", err)
			}
			s, _, err := surveySummary(e, scope.office, *service, *from, *to)
			if err != nil {
				return err
			}
			return s.Write(e.out(), *format, *by, i18n.For("en"))
		}
		if *by == "" {
			*by = "service"
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

// surveySummary is the survey's figures of the answers the centre holds
// for an office and service ("" all) from day from to day to ("" leaves an
// end open).
func surveySummary(e *env, office, service, from, to string) (skm.Summary, central.Storage, error) {
	from, to, err := cli.Days(from, to, "")
	if err != nil {
		return skm.Summary{}, nil, err
	}
	f := skm.Filter{From: from, To: to, Service: service, Office: office}
	g, err := skm.NewAggregator(f)
	if err != nil {
		return skm.Summary{}, nil, cli.Usagef("%v", err)
	}
	st, err := e.storage()
	if err != nil {
		return skm.Summary{}, nil, err
	}
	if err := st.Surveys(f, func(a skm.Answer) error { g.Add(a); return nil }); err != nil {
		return skm.Summary{}, nil, fmt.Errorf("survey answers: %w", err)
	}
	return g.Summary(), st, nil
}

// reportFlags: report --skm writes the one-page SKM report of the answers
// the centre holds.
func reportFlags(fs *flag.FlagSet) runner {
	onSKM := fs.Bool("skm", false, "the satisfaction survey (SKM) report (the only report of the centre)")
	scope := declareScope(fs)
	service := fs.String("service", "", "one service only")
	from := fs.String("from", "", "first day of the answers, YYYY-MM-DD (default: open)")
	to := fs.String("to", "", "last day of the answers, YYYY-MM-DD (default: open)")
	out := fs.String("out", "", "the PDF file to write")
	unit := fs.String("unit", "", "the unit of service as the report names it (default the office code, or every office)")
	lang := fs.String("lang", "id", "the report's language: id or en")
	head := fs.String("head", "", "the head of the unit, who signs the report")
	place := fs.String("place", "", "where the report is signed")
	return func(e *env, _ []string) error {
		switch {
		case !*onSKM:
			return cli.Usagef("report: only the satisfaction survey's report is made at the centre: report --skm --out FILE")
		case *out == "":
			return cli.Usagef("report needs --out FILE")
		case *lang != "id" && *lang != "en":
			return cli.Usagef("--lang %q is not id or en", *lang)
		case scope.station != "":
			return cli.Usagef("report --skm counts by office: --station is not taken")
		}
		s, st, err := surveySummary(e, scope.office, *service, *from, *to)
		if err != nil {
			return err
		}
		names := map[string]string{}
		if c, err := st.Catalog(); err == nil {
			for _, sv := range c.Services {
				names[sv.Code] = sv.Name(*lang)
			}
		}
		t := i18n.For(*lang)
		name := *unit
		if name == "" {
			name = scope.office
		}
		d := report.SKMData{Office: name, Lang: *lang, Period: s.Period(t), Summary: s, Services: names, Made: time.Now(),
			Central: true, Place: *place, Head: *head}
		var buf bytes.Buffer
		if err := report.RenderSKM(&buf, d); err != nil {
			return err
		}
		path := e.abs(*out)
		if err := atomicfile.Write(path, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		fmt.Fprintf(e.out(), "SKM report %s: %d respondents, IKM %s; written to %s\n", d.Period, s.Total.Respondents, s.Total.IKM(), path)
		return nil
	}
}
