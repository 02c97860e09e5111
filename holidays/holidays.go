// Package holidays is Indonesia's calendar of national holidays (libur
// nasional) and joint leave days (cuti bersama), shipped as data in the
// repository (indonesia.toml, embedded), each day with its name and the
// decree it comes from.
//
// Loket skips these days, with weekends and the office's own
// receipt.holidays, when it computes the due date on a receipt. The file
// says which years it covers in full (the joint ministerial decree, SKB 3
// Menteri, of that year) and which only in part; [Years] reports the same.
// The README's section "Receipts" and the head of indonesia.toml say how
// to add a year.
package holidays

import (
	_ "embed"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/loket-id/loket/i18n"
)

//go:embed indonesia.toml
var data []byte

// Kind is what sort of day off a day is.
type Kind string

// The kinds of day in the calendar.
const (
	National   Kind = "libur_nasional" // a national holiday
	JointLeave Kind = "cuti_bersama"   // a joint leave day of the decree
)

// Day is one day off.
type Day struct {
	Date string // YYYY-MM-DD
	Kind Kind
	Name string // as the decree names it, in Indonesian
	Year int    // the calendar year whose decree lists it
}

// Year is one year of the calendar and where its days come from.
type Year struct {
	Year     int
	Complete bool   // every libur nasional and cuti bersama of the year's decree is listed
	Source   string // the decree: its numbers, title and date
	Note     string // what is and is not included
	Days     []Day
}

type file struct {
	Year []struct {
		Year     int    `toml:"year"`
		Complete bool   `toml:"complete"`
		Source   string `toml:"source"`
		Note     string `toml:"note"`
		Days     []struct {
			Date    time.Time `toml:"date"`
			Weekday string    `toml:"weekday"`
			Kind    Kind      `toml:"kind"`
			Name    string    `toml:"name"`
		} `toml:"days"`
	} `toml:"year"`
}

// Parse reads a calendar in the form of indonesia.toml and checks it: every
// date in its year, on the day of the week the file gives (a transcription
// check), a known kind, a name, no date twice, a source for every year.
func Parse(b []byte) ([]Year, error) {
	indonesian := i18n.For("id") // the file names days of the week in Indonesian
	var f file
	md, err := toml.Decode(string(b), &f)
	if err != nil {
		return nil, fmt.Errorf("holidays: %w", err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("holidays: unknown key %s", und[0])
	}
	seen := map[string]bool{}
	var out []Year
	for _, y := range f.Year {
		if y.Source == "" {
			return nil, fmt.Errorf("holidays: year %d names no source decree", y.Year)
		}
		yr := Year{Year: y.Year, Complete: y.Complete, Source: y.Source, Note: y.Note}
		for _, d := range y.Days {
			date := d.Date.Format(time.DateOnly)
			switch {
			case d.Date.Year() != y.Year:
				return nil, fmt.Errorf("holidays: %s is listed under year %d", date, y.Year)
			case d.Weekday != indonesian.Weekday(d.Date.Weekday()):
				return nil, fmt.Errorf("holidays: %s is a %s, not %q", date, indonesian.Weekday(d.Date.Weekday()), d.Weekday)
			case d.Kind != National && d.Kind != JointLeave:
				return nil, fmt.Errorf("holidays: %s: kind %q is not %s or %s", date, d.Kind, National, JointLeave)
			case d.Name == "":
				return nil, fmt.Errorf("holidays: %s has no name", date)
			case seen[date]:
				return nil, fmt.Errorf("holidays: %s is listed twice", date)
			}
			seen[date] = true
			yr.Days = append(yr.Days, Day{Date: date, Kind: d.Kind, Name: d.Name, Year: y.Year})
		}
		slices.SortFunc(yr.Days, func(a, b Day) int { return compare(a.Date, b.Date) })
		out = append(out, yr)
	}
	slices.SortFunc(out, func(a, b Year) int { return a.Year - b.Year })
	return out, nil
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

var (
	once  sync.Once
	years []Year
	dates []string
)

func load() {
	once.Do(func() {
		var err error
		if years, err = Parse(data); err != nil {
			panic("holidays: the embedded indonesia.toml is invalid: " + err.Error())
		}
		for _, y := range years {
			for _, d := range y.Days {
				dates = append(dates, d.Date)
			}
		}
		slices.Sort(dates)
	})
}

// Years is the shipped calendar, year by year.
func Years() []Year {
	load()
	return slices.Clone(years)
}

// Indonesia is every shipped day off, in date order.
func Indonesia() []Day {
	load()
	var out []Day
	for _, y := range years {
		out = append(out, y.Days...)
	}
	return out
}

// With is the shipped days off merged with an office's own (YYYY-MM-DD),
// sorted, each date once.
func With(office []string) []string {
	load()
	if len(office) == 0 {
		return dates
	}
	out := append(slices.Clone(dates), office...)
	slices.Sort(out)
	return slices.Compact(out)
}
