package stats

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/loket-id/loket/i18n"
	"github.com/loket-id/loket/internal/csvsafe"
)

// Duration formats seconds for people: 12m03s, 1h05m.
//
// Deprecated: use i18n.CompactDuration, where every form of display lives.
func Duration(s float64) string { return i18n.CompactDuration(s) }

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
			rows = append(rows, Row{fmt.Sprintf("%02d:00", h.Hour), Counts{Arrivals: h.Arrivals}})
		}
	default:
		return nil, fmt.Errorf("--by %q is not service, counter, clerk, hour or day", by)
	}
	return rows, nil
}

var tableHead = []string{"key", "arrivals", "served", "no_show", "cancelled", "transferred", "waiting",
	"wait_avg", "wait_p50", "wait_p90", "service_avg", "service_p50", "service_p90", "within_target_ratio"}

func (r Row) record() []string {
	n := func(x float64) string { return fmt.Sprintf("%g", x) }
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

// WriteText writes the figures and the breakdown by for a terminal.
func (f Figures) WriteText(w io.Writer, by string) error {
	rows, err := f.Table(by)
	if err != nil {
		return err
	}
	period := f.From
	if f.To != f.From {
		period += " .. " + f.To
	}
	dur := i18n.CompactDuration
	fmt.Fprintf(w, "Statistics %s\n\n", period)
	fmt.Fprintf(w, "Arrivals %d   Served %d   No-show %d   Cancelled %d   Transferred %d   Waiting now %d\n",
		f.Arrivals, f.Served, f.NoShow, f.Cancelled, f.Transferred, f.Waiting)
	if f.Unclosed > 0 {
		fmt.Fprintf(w, "Left open on earlier days %d (not closed: see close-day)\n", f.Unclosed)
	}
	fmt.Fprintf(w, "Waiting time   avg %s   median %s   p90 %s   (%d called)\n",
		dur(f.WaitSeconds.Avg), dur(f.WaitSeconds.P50), dur(f.WaitSeconds.P90), f.WaitSeconds.N)
	fmt.Fprintf(w, "Service time   avg %s   median %s   p90 %s   (%d served)\n",
		dur(f.ServiceSeconds.Avg), dur(f.ServiceSeconds.P50), dur(f.ServiceSeconds.P90), f.ServiceSeconds.N)
	fmt.Fprintf(w, "Called within target: %.0f%%\n", f.WithinTargetRatio*100)
	if f.BusiestHour >= 0 {
		fmt.Fprintf(w, "Busiest hour: %02d:00 (%d arrivals)\n", f.BusiestHour, f.ByHour[f.BusiestHour].Arrivals)
	}
	fmt.Fprintf(w, "\nBy %s:\n", by)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.ToUpper(by)+"\tARRIVALS\tSERVED\tNO-SHOW\tWAIT P50\tWAIT P90\tSERVICE P50\tON TARGET\t")
	for _, r := range rows {
		if by == "hour" {
			if r.Arrivals > 0 {
				fmt.Fprintf(tw, "%s\t%d\t\t\t\t\t\t\t\n", r.Key, r.Arrivals)
			}
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\t%s\t%.0f%%\t\n", r.Key, r.Arrivals, r.Served, r.NoShow,
			dur(r.WaitSeconds.P50), dur(r.WaitSeconds.P90), dur(r.ServiceSeconds.P50), r.WithinTargetRatio*100)
	}
	return tw.Flush()
}
