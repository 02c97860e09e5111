package stats

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/loket-id/loket/i18n"
	"github.com/loket-id/loket/internal/csvsafe"
)

// Row is one line of a breakdown table.
type Row struct {
	Key string
	Counts
}

// Table is the breakdown that by names: service, counter, clerk, day or hour.
func (f Figures) Table(by string) ([]Row, error) {
	var rows []Row
	switch by {
	case "service", "":
		for _, s := range f.ByService {
			rows = append(rows, Row{s.Service, s.Counts})
		}
	case "counter", "clerk", "day":
		groups := map[string][]Group{"counter": f.ByCounter, "clerk": f.ByClerk, "day": f.ByDay}[by]
		for _, g := range groups {
			rows = append(rows, Row{g.Key, g.Counts})
		}
	case "hour":
		for _, h := range f.ByHour {
			rows = append(rows, Row{fmt.Sprintf("%02d:00", h.Hour), Counts{Arrivals: h.Arrivals, WaitSeconds: h.WaitSeconds}})
		}
	default:
		return nil, fmt.Errorf("--by %q is not service, counter, clerk, hour or day", by)
	}
	return rows, nil
}

var tableHead = []string{"key", "arrivals", "served", "no_show", "cancelled", "transferred", "waiting",
	"wait_avg", "wait_p50", "wait_p90", "service_avg", "service_p50", "service_p90", "within_target_ratio"}

// NoData is what a figure shows where there is nothing to measure (no
// request was called, none was served): not 0s or 0%, which would be a
// measurement.
const NoData = "–"

// Seconds is a time of d, picked by pick (the average, median or p90),
// formatted by format; NoData when d is empty.
func Seconds(d Dist, pick func(Dist) float64, format func(float64) string) string {
	if d.N == 0 {
		return NoData
	}
	return format(pick(d))
}

// Median, P90 and Avg pick a figure of a Dist, for Seconds.
func Median(d Dist) float64 { return d.P50 }
func P90(d Dist) float64    { return d.P90 }
func Avg(d Dist) float64    { return d.Avg }

// TargetText is the share called within target as a percentage, NoData
// when nobody was called.
func (c Counts) TargetText() string {
	if c.WaitSeconds.N == 0 {
		return NoData
	}
	return fmt.Sprintf("%.0f%%", c.WithinTargetRatio*100)
}

func (r Row) record() []string {
	// Whole seconds: the figures are nearest-rank times of events stamped
	// to the nanosecond, which no reader needs.
	n := func(x float64) string { return fmt.Sprintf("%.0f", math.Round(x)) }
	return []string{r.Key, fmt.Sprint(r.Arrivals), fmt.Sprint(r.Served), fmt.Sprint(r.NoShow), fmt.Sprint(r.Cancelled),
		fmt.Sprint(r.Transferred), fmt.Sprint(r.Waiting), n(r.WaitSeconds.Avg), n(r.WaitSeconds.P50), n(r.WaitSeconds.P90),
		n(r.ServiceSeconds.Avg), n(r.ServiceSeconds.P50), n(r.ServiceSeconds.P90), fmt.Sprintf("%.4f", r.WithinTargetRatio)}
}

// WriteCSV writes the breakdown by as CSV (seconds, ratios as fractions);
// a key that a spreadsheet would run as a formula (a clerk named "=...")
// gets a single quote in front (see internal/csvsafe).
func (f Figures) WriteCSV(w io.Writer, by string) error {
	rows, err := f.Table(by)
	if err != nil {
		return err
	}
	cw := csvsafe.NewWriter(w)
	head := append([]string{by}, tableHead[1:]...)
	_ = cw.Write(head)
	for _, r := range rows {
		_ = cw.Write(r.record())
	}
	cw.Flush()
	return cw.Error()
}

// WriteText writes the figures and the breakdown by for a terminal, in
// t's language (the numbers and durations are the same in every language).
func (f Figures) WriteText(w io.Writer, by string, t i18n.Text) error {
	rows, err := f.Table(by)
	if err != nil {
		return err
	}
	period := f.From
	if f.To != f.From {
		period += " .. " + f.To
	}
	dur := func(d Dist, pick func(Dist) float64) string { return Seconds(d, pick, i18n.CompactDuration) }
	fmt.Fprintln(w, t.S("cmd.stats.title", period)+"\n")
	fmt.Fprintln(w, t.S("cmd.stats.counts", f.Arrivals, f.Served, f.NoShow, f.Cancelled, f.Transferred, f.Waiting))
	if f.Unclosed > 0 {
		fmt.Fprintln(w, t.S("cmd.stats.unclosed", f.Unclosed))
	}
	fmt.Fprintln(w, t.S("cmd.stats.wait", dur(f.WaitSeconds, Avg), dur(f.WaitSeconds, Median), dur(f.WaitSeconds, P90), f.WaitSeconds.N))
	fmt.Fprintln(w, t.S("cmd.stats.service", dur(f.ServiceSeconds, Avg), dur(f.ServiceSeconds, Median), dur(f.ServiceSeconds, P90), f.ServiceSeconds.N))
	fmt.Fprintln(w, t.S("cmd.stats.target", f.TargetText()))
	if f.BusiestHour >= 0 {
		fmt.Fprintln(w, t.S("cmd.stats.busiest", fmt.Sprintf("%02d:00", f.BusiestHour), f.ByHour[f.BusiestHour].Arrivals))
	}
	var byName string
	switch by {
	case "counter":
		byName = t.S("cmd.stats.by.counter")
	case "clerk":
		byName = t.S("cmd.stats.by.clerk")
	case "hour":
		byName = t.S("cmd.stats.by.hour")
	case "day":
		byName = t.S("cmd.stats.by.day")
	default:
		byName = t.S("cmd.stats.by.service")
	}
	fmt.Fprintln(w, "\n"+t.S("cmd.stats.by", byName))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.ToUpper(byName)+"\t"+t.S("cmd.stats.head")+"\t")
	for _, r := range rows {
		if by == "hour" {
			if r.Arrivals > 0 {
				fmt.Fprintf(tw, "%s\t%d\t\t\t\t\t\t\t\n", r.Key, r.Arrivals)
			}
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t\n", r.Key, r.Arrivals, r.Served, r.NoShow,
			dur(r.WaitSeconds, Median), dur(r.WaitSeconds, P90), dur(r.ServiceSeconds, Median), r.TargetText())
	}
	return tw.Flush()
}
