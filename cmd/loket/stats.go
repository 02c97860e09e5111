package main

import (
	"errors"
	"fmt"

	"github.com/loket-id/loket/stats"
	"github.com/loket-id/loket/sync/client"
)

// statsRange is the --from/--to range, today by default, checked.
func (e *env) statsRange() (string, string, error) {
	from, to := e.o.from, e.o.to
	if from == "" {
		from = e.st.Today()
	}
	if to == "" {
		to = from
	}
	// In the order typed: a bad --from is named as --from, also when --to
	// defaults to it.
	if err := checkDate("from", from); err != nil {
		return "", "", err
	}
	if err := checkDate("to", to); err != nil {
		return "", "", err
	}
	if to < from {
		return "", "", usagef("--to %s is before --from %s", to, from)
	}
	return from, to, nil
}

// runStats prints the figures of a range: this station's, or with --central
// the whole office's from the central server.
func runStats(e *env, args []string) error {
	if err := noArgs(e, args); err != nil {
		return err
	}
	if err := checkFormat(e.o.format, "text", "json", "csv"); err != nil {
		return err
	}
	if !e.o.central && (e.o.server != "" || e.o.token != "") {
		return usagef("stats takes --server and --token only with --central")
	}
	if _, err := (stats.Figures{}).Table(e.o.by); err != nil {
		return usagef("%v", err)
	}
	from, to, err := e.statsRange()
	if err != nil {
		return err
	}
	var f stats.Figures
	if e.o.central {
		c, err := e.syncClient(e.st)
		if err != nil {
			return err
		}
		if c == nil {
			return usagef("--central needs a central server: loket init --server URL --token TOKEN")
		}
		if f, err = c.Stats(e.ctx, from, to, e.o.service); err != nil {
			switch {
			case errors.Is(err, client.ErrUnreachable):
				return &exitError{Code: exitUnreachable, Err: fmt.Errorf("central statistics: %w", err)}
			case errors.Is(err, client.ErrRefused):
				return &exitError{Code: exitRefused, Err: fmt.Errorf("central statistics: %w", err)}
			}
			return fmt.Errorf("central statistics: %w", err)
		}
	} else if f, err = stats.ForStation(e.ctx, e.st, from, to, e.o.service); err != nil {
		return err
	}
	switch e.o.format {
	case "json":
		return writeJSON(e.out(), f)
	case "csv":
		return f.WriteCSV(e.out(), e.o.by)
	}
	if e.o.central {
		fmt.Fprintln(e.out(), "Central figures for the whole office")
	} else {
		fmt.Fprintln(e.out(), "Local figures of this counter only")
	}
	return f.WriteText(e.out(), e.o.by)
}
