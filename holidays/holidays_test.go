package holidays

import (
	"slices"
	"strings"
	"testing"
)

func TestEmbeddedCalendar(t *testing.T) {
	ys := Years()
	if len(ys) == 0 {
		t.Fatal("no years")
	}
	var y2026 Year
	for _, y := range ys {
		if y.Year == 2026 {
			y2026 = y
		}
	}
	count := map[Kind]int{}
	for _, d := range y2026.Days {
		count[d.Kind]++
	}
	// The 2026 decree: 17 libur nasional and 8 cuti bersama.
	if !y2026.Complete || count[National] != 17 || count[JointLeave] != 8 {
		t.Fatalf("2026: complete=%v, %d libur nasional, %d cuti bersama; want 17 and 8", y2026.Complete, count[National], count[JointLeave])
	}
	if !strings.Contains(y2026.Source, "Nomor 1497 Tahun 2025, Nomor 2 Tahun 2025, Nomor 5 Tahun 2025") || !strings.Contains(y2026.Source, "19 September 2025") {
		t.Fatalf("2026 source: %s", y2026.Source)
	}
	for _, want := range []string{"2026-03-20", "2026-03-23", "2026-03-24", "2026-12-24", "2026-12-25", "2027-01-01"} {
		if !slices.Contains(With(nil), want) {
			t.Errorf("%s is not a day off", want)
		}
	}
}

func TestWithMergesOfficeDays(t *testing.T) {
	got := With([]string{"2026-09-25", "2026-12-25", "2026-09-25"})
	if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
		t.Fatalf("not sorted or not unique: %v", got)
	}
	if !slices.Contains(got, "2026-09-25") || len(got) != len(With(nil))+1 {
		t.Fatalf("office day not merged once: %d vs %d", len(got), len(With(nil)))
	}
	if slices.Contains(With(nil), "2026-09-25") {
		t.Fatal("With changed the shipped calendar")
	}
}

func TestParseRefuses(t *testing.T) {
	head := "[[year]]\nyear = 2026\ncomplete = true\nsource = \"SKB\"\n"
	tests := map[string]struct{ toml, want string }{
		"weekday": {head + `days = [{ date = 2026-01-01, weekday = "Jumat", kind = "libur_nasional", name = "Tahun Baru" }]`, "is a Kamis"},
		"year":    {head + `days = [{ date = 2027-01-01, weekday = "Jumat", kind = "libur_nasional", name = "Tahun Baru" }]`, "under year 2026"},
		"kind":    {head + `days = [{ date = 2026-01-01, weekday = "Kamis", kind = "libur", name = "Tahun Baru" }]`, "kind"},
		"name":    {head + `days = [{ date = 2026-01-01, weekday = "Kamis", kind = "libur_nasional", name = "" }]`, "no name"},
		"twice": {head + `days = [{ date = 2026-01-01, weekday = "Kamis", kind = "libur_nasional", name = "A" },
		                         { date = 2026-01-01, weekday = "Kamis", kind = "cuti_bersama", name = "B" }]`, "twice"},
		"source":  {"[[year]]\nyear = 2026\ndays = []", "no source"},
		"unknown": {head + "days = []\nfoo = 1", "unknown key"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse([]byte(tt.toml)); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse = %v, want an error with %q", err, tt.want)
			}
		})
	}
}
