package skm

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// answer is a valid answer for request n.
func answer(n int, service, office string, at time.Time, scores [NumElements]int) Answer {
	a := valid()
	a.RequestID = fmt.Sprintf("01JD8X3Q4T5V6W7X8Y9Z0A%04d", n)
	a.Service, a.Office, a.AnsweredAt, a.Scores = service, office, at, scores
	return a
}

func day(d int, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, wib) }

func TestSummarize(t *testing.T) {
	s28 := [NumElements]int{3, 3, 3, 3, 3, 3, 3, 3, 4}
	s36 := [NumElements]int{4, 4, 4, 4, 4, 4, 4, 4, 4}
	s18 := [NumElements]int{2, 2, 2, 2, 2, 2, 2, 2, 2}
	answers := []Answer{
		answer(1, "A", "Bandung", day(2, 9), s28),
		answer(2, "A", "Bandung", day(3, 9), s36),
		answer(3, "B", "Bandung", day(3, 10), s18),
		answer(4, "B", "Cimahi", time.Date(2026, 12, 1, 8, 0, 0, 0, wib), s36),
		answer(5, "A", "Cimahi", day(30, 15), s18),
		answer(6, "A", "Bandung", day(1, 7), s28), // before the range of some filters
	}
	// A second answer of request 2, later: not counted.
	dup := answer(2, "A", "Bandung", day(4, 9), s18)
	// An invalid one: counted as invalid, not summed.
	bad := answer(7, "A", "Bandung", day(4, 9), s28)
	bad.Scores[4] = 0
	answers = append(answers, dup, bad)
	// Respondent data: one unstated sex, one man.
	answers[2].Sex, answers[3].Sex, answers[3].Age = "", "m", "60+"

	for _, tc := range []struct {
		name      string
		f         Filter
		n         int
		ikm       string
		services  string
		offices   string
		months    string
		dup, inv  int
		sexCounts string
	}{
		{"all", Filter{}, 6, "75.93", "A:4 B:2", "Bandung:4 Cimahi:2", "2026-11:5 2026-12:1", 1, 1, "m:1 f:4 :1"},
		{"November from the 2nd", Filter{From: "2026-11-02", To: "2026-11-30"}, 4, "69.44", "A:3 B:1", "Bandung:3 Cimahi:1", "2026-11:4", 1, 1, "m:0 f:3 :1"},
		{"service B", Filter{Service: "B"}, 2, "75.00", "B:2", "Bandung:1 Cimahi:1", "2026-11:1 2026-12:1", 1, 1, "m:1 f:0 :1"},
		{"Cimahi in December", Filter{Office: "Cimahi", From: "2026-12-01"}, 1, "100.00", "B:1", "Cimahi:1", "2026-12:1", 1, 1, "m:1 f:0"},
		{"nothing", Filter{From: "2027-01-01"}, 0, "–", "", "", "", 1, 1, "m:0 f:0"},
	} {
		// In any order, the same figures.
		for seed := range 4 {
			in := slices.Clone(answers)
			rand.New(rand.NewPCG(uint64(seed), 1)).Shuffle(len(in), func(i, j int) { in[i], in[j] = in[j], in[i] })
			s, err := Summarize(tc.f, slices.Values(in))
			if err != nil {
				t.Fatal(err)
			}
			keys := func(gs []Group) string {
				out := ""
				for i, g := range gs {
					if i > 0 {
						out += " "
					}
					out += fmt.Sprintf("%s:%d", g.Key, g.Tally.Respondents)
				}
				return out
			}
			sex := ""
			for i, c := range s.Profile.Sex {
				if i > 0 {
					sex += " "
				}
				sex += fmt.Sprintf("%s:%d", c.Key, c.N)
			}
			got := fmt.Sprintf("%d %s | %s | %s | %s | %d %d | %s", s.Total.Respondents, s.Total.IKM(), keys(s.ByService), keys(s.ByOffice), keys(s.ByMonth), s.Duplicates, s.Invalid, sex)
			want := fmt.Sprintf("%d %s | %s | %s | %s | %d %d | %s", tc.n, tc.ikm, tc.services, tc.offices, tc.months, tc.dup, tc.inv, tc.sexCounts)
			if got != want {
				t.Errorf("%s (order %d):\n got %s\nwant %s", tc.name, seed, got, want)
			}
			// The breakdowns add up to the total.
			for _, gs := range [][]Group{s.ByService, s.ByOffice, s.ByMonth} {
				var sum Tally
				for _, g := range gs {
					sum.Merge(g.Tally)
				}
				if sum != s.Total {
					t.Errorf("%s: groups sum to %+v, total %+v", tc.name, sum, s.Total)
				}
			}
		}
	}
	if _, err := Summarize(Filter{From: "2026-12-01", To: "2026-11-01"}, slices.Values(answers)); err == nil {
		t.Error("from after to accepted")
	}
	if _, err := Summarize(Filter{From: "1 Nov"}, slices.Values(answers)); err == nil {
		t.Error("a bad date accepted")
	}
}

// TestSummaryJSON: a summary read back from JSON (the central server's
// answer to a station) has the same figures.
func TestSummaryJSON(t *testing.T) {
	var in []Answer
	for i := range 20 {
		s := [NumElements]int{}
		for e := range s {
			s[e] = 1 + (i+e)%4
		}
		in = append(in, answer(i, string(rune('A'+i%3)), "Bandung", day(1+i, 10), s))
	}
	s, err := Summarize(Filter{}, slices.Values(in))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back Summary
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(back)
	if string(b) != string(b2) || back.Total != s.Total {
		t.Errorf("read back differs:\n%s\n%s", b, b2)
	}
}
