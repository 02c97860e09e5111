package main

// The stations and their tokens: station add, list, revoke and rebind.

import (
	"errors"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/loket-id/loket/internal/cli"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/sync/central"
)

func stationCommands() []*command {
	return []*command{
		{Name: "station add", Summary: "add a station and print its token", Owned: true, Accepts: cli.ExactArgs(0), Flags: stationAddFlags},
		{Name: "station list", Summary: "list the stations", Owned: true, Accepts: cli.ExactArgs(0), Flags: stationListFlags},
		{Name: "station revoke", Summary: "revoke a station's token", Owned: true, Accepts: cli.ExactArgs(1),
			Flags: cli.NoFlags(func(e *env, args []string) error { return stationUnbind(e, args[0], false) })},
		{Name: "station rebind", Summary: "let a station's next database take it over", Owned: true, Accepts: cli.ExactArgs(1),
			Flags: cli.NoFlags(func(e *env, args []string) error { return stationUnbind(e, args[0], true) })},
	}
}

func stationAddFlags(fs *flag.FlagSet) runner {
	office := fs.String("office", "", "office code")
	station := fs.String("station", "", "station code")
	name := fs.String("name", "", "station name")
	format := formatFlag(fs)
	return func(e *env, _ []string) error {
		if err := checkFormat(e, *format, "text", "json"); err != nil {
			return err
		}
		st, err := e.storage()
		if err != nil {
			return err
		}
		s, token, err := st.AddStation(*office, *station, *name, time.Now())
		if errors.Is(err, central.ErrExists) {
			return fmt.Errorf("%w: %w", err, queue.ErrInvalid)
		}
		if err != nil {
			return err
		}
		if *format == "json" {
			return writeJSON(e.out(), map[string]string{"station": s.Key, "office": s.Office, "token": token})
		}
		fmt.Fprintf(e.out(), "station %s\ntoken   %s\n\nThe token is shown only this once. On the counter:\n  loket init --server URL --token %s\n", s.Key, token, token)
		return nil
	}
}

func stationListFlags(fs *flag.FlagSet) runner {
	format := formatFlag(fs)
	return func(e *env, _ []string) error {
		if err := checkFormat(e, *format, "text", "json"); err != nil {
			return err
		}
		st, err := e.storage()
		if err != nil {
			return err
		}
		sts, err := st.Stations()
		if err != nil {
			return err
		}
		if *format == "json" {
			for i := range sts {
				sts[i].TokenHash = ""
			}
			return writeJSON(e.out(), sts)
		}
		tw := tabwriter.NewWriter(e.out(), 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "STATION\tNAME\tHIGH-WATER\tLAST SEEN\tSKEW\tSTATE")
		for _, s := range sts {
			state := "active"
			switch {
			case s.Revoked:
				state = "revoked"
			case s.Epoch == "":
				state = "unbound"
			}
			skew := fmt.Sprintf("%ds", s.SkewSeconds)
			if s.Skewed {
				skew += " (CLOCK OFF)"
			}
			seen := "-"
			if !s.LastSeen.IsZero() {
				seen = s.LastSeen.Format(time.DateTime)
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", s.Key, s.Name, s.HighWater, seen, skew, state)
		}
		return tw.Flush()
	}
}

// stationUnbind revokes the station key (OFFICE/STATION), or with rebind
// lets its next database take it over.
func stationUnbind(e *env, key string, rebind bool) error {
	st, err := e.storage()
	if err != nil {
		return err
	}
	fn, verb := st.Revoke, "revoked"
	if rebind {
		fn, verb = st.Rebind, "unbound: the next counter database to sync gets the station's history back and takes it over"
	}
	if err := fn(key); err != nil {
		if errors.Is(err, central.ErrNoStation) {
			return fmt.Errorf("%w: %w", err, queue.ErrNotFound)
		}
		return err
	}
	fmt.Fprintf(e.out(), "station %s %s\n", key, verb)
	return nil
}
