package main

// Statistics: stats, the counter's own or (--central) the whole office's.

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"strings"

	"github.com/loket-id/loket/internal/cli"
	"github.com/loket-id/loket/office"
	"github.com/loket-id/loket/skm"
	"github.com/loket-id/loket/stats"
	"github.com/loket-id/loket/sync/station"
	"github.com/loket-id/loket/tui"
)

func statsCommands() []*command {
	return []*command{
		{Name: "stats", Args: "[--from DATE] [--to DATE] [--service CODE] [--by service|counter|clerk|hour|day] [--format text|json|csv] [--central] [--skm]",
			Summary: "queue statistics: arrivals, served, no-shows, waiting and service times (--central: the whole office; --skm: the satisfaction survey's index)",
			Owned:   true, Flags: statsFlags},
		{Name: "report", Args: "[--date YYYY-MM-DD | --month YYYY-MM] [--central] --out FILE | --skm [--from DATE] [--to DATE] --out FILE",
			Summary: "write the PDF statistics report of a day (default today) or a month (--central: the whole office; --skm: the one-page satisfaction survey report)", Owned: true, Flags: reportFlags},
	}
}

// statsFlags: stats prints the figures of a range: this station's, or with
// --central the whole office's from the central server.
func statsFlags(fs *flag.FlagSet) runner {
	from := fs.String("from", "", "first day, YYYY-MM-DD (default today)")
	to := fs.String("to", "", "last day, YYYY-MM-DD (default --from)")
	by := fs.String("by", "", "breakdown: service (default), counter, clerk, hour or day; with --skm element (default), service, office or month")
	onSKM := fs.Bool("skm", false, "the satisfaction survey (SKM): respondents and the index (IKM) per element, service, office or month of the answers (all dates unless --from/--to)")
	central := fs.Bool("central", false, "the central server's figures for the whole office")
	service := fs.String("service", "", "one service only")
	server := fs.String("server", "", "central server URL (with --central)")
	token := fs.String("token", "", "station token (with --central)")
	format := formatFlag(fs, true)
	return func(e *env, args []string) error {
		if err := noArgs(e, args); err != nil {
			return err
		}
		if err := checkFormat(*format, "text", "json", "csv"); err != nil {
			return err
		}
		if !*central && (*server != "" || *token != "") {
			return usagef("stats takes --server and --token only with --central")
		}
		if *onSKM {
			if *central {
				return usagef("stats --skm counts this database's answers: the whole office's are loket-central stats --skm")
			}
			if err := skm.CheckBy(*by); err != nil {
				return usagef("%v", err)
			}
			if _, _, err := cli.Days(*from, *to, ""); err != nil {
				return err // before the database is opened
			}
			q, err := e.queue(reads)
			if err != nil {
				return err
			}
			s, err := surveySummary(e, q, *service, *from, *to)
			if err != nil {
				return err
			}
			return s.Write(e.out(), *format, *by, e.t())
		}
		if *by == "" {
			*by = "service"
		}
		if _, err := (stats.Figures{}).Table(*by); err != nil {
			return usagef("%v", err)
		}
		// The days as typed before the database is opened; then the
		// defaults, which are the office's today.
		if _, _, err := cli.Days(*from, *to, ""); err != nil {
			return err
		}
		q, err := e.queue(reads)
		if err != nil {
			return err
		}
		from, to, err := cli.Days(*from, *to, q.Today())
		if err != nil {
			return err
		}
		var f stats.Figures
		if *central {
			if f, err = centralStats(e, from, to, *service, *server, *token); err != nil {
				return err
			}
		} else if f, err = stats.ForStation(e.ctx, q, from, to, *service); err != nil {
			return err
		}
		switch *format {
		case "json":
			return writeJSON(e.out(), f)
		case "csv":
			return f.WriteCSV(e.out(), *by)
		}
		if *central {
			fmt.Fprintln(e.out(), e.t().S("cmd.stats.central"))
		} else {
			fmt.Fprintln(e.out(), e.t().S("cmd.stats.local"))
		}
		return f.WriteText(e.out(), *by, e.t())
	}
}

// surveySummary is the survey's figures of the answers of this database
// (or the hub's) for a service ("" all) from day from to day to ("" leaves
// an end open: the survey counts all dates unless told).
func surveySummary(e *env, q office.Queue, service, from, to string) (skm.Summary, error) {
	from, to, err := cli.Days(from, to, "")
	if err != nil {
		return skm.Summary{}, err
	}
	f := skm.Filter{From: from, To: to, Service: strings.ToUpper(strings.TrimSpace(service))}
	if err := f.Check(); err != nil {
		return skm.Summary{}, usagef("%v", err)
	}
	return office.SurveySummary(e.ctx, q, f)
}

// centralStats are the whole office's figures from the central server
// (exit 3 unreachable, 4 refused); server and token are the command's
// flags ("" for the configured ones).
func centralStats(e *env, from, to, service, server, token string) (stats.Figures, error) {
	c, err := e.syncClient(nil, server, token)
	if err != nil {
		return stats.Figures{}, err
	}
	if c == nil {
		return stats.Figures{}, usagef("--central needs a central server: loket init --server URL --token TOKEN")
	}
	f, err := c.Stats(e.ctx, from, to, service)
	switch {
	case err == nil:
		return f, nil
	case errors.Is(err, station.ErrUnreachable):
		return f, &exitError{Code: exitUnreachable, Err: fmt.Errorf("central statistics: %w", err)}
	case errors.Is(err, station.ErrRefused):
		return f, &exitError{Code: exitRefused, Err: fmt.Errorf("central statistics: %w", err)}
	}
	return f, fmt.Errorf("central statistics: %w", err)
}

// surveyTally is the statistics screen's source of the survey's answers
// of q (the database's own, or the hub's).
func surveyTally(q office.Queue) tui.SurveySource {
	return func(ctx context.Context, from, to, service string) (skm.Tally, error) {
		s, err := office.SurveySummary(ctx, q, skm.Filter{From: from, To: to, Service: service})
		return s.Total, err
	}
}
