package stats

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loket-id/loket/i18n"
	"github.com/loket-id/loket/queue"
)

func TestNaturalLess(t *testing.T) {
	for _, tc := range []struct {
		in, want []string
	}{
		{[]string{"L1", "L10", "L11", "L12", "L2"}, []string{"L1", "L2", "L10", "L11", "L12"}},
		{[]string{"L02", "L2", "L1"}, []string{"L1", "L02", "L2"}},
		{[]string{"B", "A", "", "A1"}, []string{"", "A", "A1", "B"}},
		{[]string{"KIOSK", "L3", "L20A", "L20"}, []string{"KIOSK", "L3", "L20", "L20A"}},
		{[]string{"2026-11-10", "2026-11-02", "2026-10-31"}, []string{"2026-10-31", "2026-11-02", "2026-11-10"}},
	} {
		got := slices.Clone(tc.in)
		slices.SortFunc(got, func(a, b string) int {
			if NaturalLess(a, b) {
				return -1
			}
			if NaturalLess(b, a) {
				return 1
			}
			return 0
		})
		if !slices.Equal(got, tc.want) {
			t.Errorf("sorted %v = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestCountersInNaturalOrder: the figures list counters as people count.
func TestCountersInNaturalOrder(t *testing.T) {
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, wib)
	var rs []queue.Request
	for _, c := range []string{"L10", "L2", "L1", "L11"} {
		rs = append(rs, queue.Request{ID: c, Day: "2026-11-02", Service: "A", Status: queue.StatusWaiting, ArrivedAt: at, Counter: c})
	}
	f, err := ComputeAt(at, "2026-11-02", "2026-11-02", func(fn func(queue.Request) error) error {
		for _, r := range rs {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, g := range f.ByCounter {
		keys = append(keys, g.Key)
	}
	if !slices.Equal(keys, []string{"L1", "L2", "L10", "L11"}) {
		t.Fatalf("counters %v", keys)
	}
}

// TestNoDataAndWholeSeconds: a group nobody was called in shows NoData,
// not 0s and 0%; the CSV has whole seconds.
func TestNoDataAndWholeSeconds(t *testing.T) {
	called := Counts{Arrivals: 3, WaitSeconds: Dist{Avg: 61.25, P50: 60.123456789, P90: 90.5, N: 2}, WithinTargetRatio: 0.5}
	none := Counts{Arrivals: 1}
	for _, tc := range []struct {
		c            Counts
		wait, target string
	}{
		{called, "1m00s", "50%"},
		{none, NoData, NoData},
	} {
		if got := Seconds(tc.c.WaitSeconds, Median, func(s float64) string { return (time.Duration(s) * time.Second).Round(time.Second).String() }); tc.wait == NoData && got != NoData {
			t.Errorf("median of %+v = %q", tc.c, got)
		}
		var b bytes.Buffer
		f := Figures{Counts: tc.c, ByService: []Service{{Service: "A", Counts: tc.c}}, BusiestHour: -1}
		if err := f.WriteText(&b, "service", i18n.For("en")); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), tc.wait) || !strings.Contains(b.String(), "within target: "+tc.target) {
			t.Errorf("text of %+v lacks %q / %q:\n%s", tc.c, tc.wait, tc.target, b.String())
		}
		if tc.wait == NoData && (strings.Contains(b.String(), " 0s") || strings.Contains(b.String(), " 0%")) {
			t.Errorf("no data shown as zero:\n%s", b.String())
		}
	}
	var b bytes.Buffer
	f := Figures{ByService: []Service{{Service: "A", Counts: called}}}
	if err := f.WriteCSV(&b, "service"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "A,3,0,0,0,0,0,61,60,91,0,0,0,0.5000") {
		t.Fatalf("csv:\n%s", b.String())
	}
}
