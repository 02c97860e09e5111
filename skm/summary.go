package skm

import (
	"fmt"
	"iter"
	"maps"
	"slices"
	"time"

	"github.com/loket-id/loket/internal/natural"
)

// Filter picks the answers a summary counts. Empty fields pick all.
type Filter struct {
	From, To string // the first and last day, YYYY-MM-DD, by the answer's Day
	Service  string // one service's code
	Office   string // one office
}

// Check tells whether the filter's days are dates, From not after To.
func (f Filter) Check() error {
	for _, d := range []struct{ name, v string }{{"from", f.From}, {"to", f.To}} {
		if d.v == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, d.v); err != nil {
			return fmt.Errorf("skm: %s %q is not a date YYYY-MM-DD", d.name, d.v)
		}
	}
	if f.From != "" && f.To != "" && f.From > f.To {
		return fmt.Errorf("skm: from %s is after to %s", f.From, f.To)
	}
	return nil
}

// Match tells whether the filter picks the answer.
func (f Filter) Match(a Answer) bool {
	day := a.Day()
	return (f.From == "" || day >= f.From) && (f.To == "" || day <= f.To) &&
		(f.Service == "" || a.Service == f.Service) && (f.Office == "" || a.Office == f.Office)
}

// Group is the tally of the answers of one service, office or month.
type Group struct {
	Key   string `json:"key"`
	Tally Tally  `json:"tally"`
}

// Count is how many respondents gave one answer to a question of the
// respondent data ("" is not stated).
type Count struct {
	Key string `json:"key"`
	N   int    `json:"n"`
}

// Profile is who answered: the respondents by each field of the
// respondent data, every code of its list in the list's order (zero
// counts too), then "" (not stated) when some did not say.
type Profile struct {
	Age        []Count `json:"age"`
	Sex        []Count `json:"sex"`
	Education  []Count `json:"education"`
	Occupation []Count `json:"occupation"`
}

// Summary is the survey's figures for a filter.
type Summary struct {
	// The filter: the days ("" open), the service and the office.
	From    string `json:"from,omitempty"`
	To      string `json:"to,omitempty"`
	Service string `json:"service,omitempty"`
	Office  string `json:"office,omitempty"`
	Total   Tally  `json:"total"`
	// The breakdowns, each in natural order of its key: by the service
	// the request ended in, by office, by month of the answer (YYYY-MM).
	ByService []Group `json:"by_service"`
	ByOffice  []Group `json:"by_office"`
	ByMonth   []Group `json:"by_month"`
	Profile   Profile `json:"profile"`
	// Answers not counted: a second answer for a request already answered
	// (the earliest counts), and answers that fail Validate. Neither
	// should happen (the store refuses both); they are counted, not hidden.
	Duplicates int `json:"duplicates"`
	Invalid    int `json:"invalid"`
}

// Aggregator gathers answers one by one (from a store's cursor) into a
// Summary. The zero Aggregator counts every answer.
type Aggregator struct {
	f          Filter
	first      map[string]Answer // request ID -> its earliest answer
	duplicates int
	invalid    int
}

// NewAggregator is an Aggregator of the answers f picks.
func NewAggregator(f Filter) (*Aggregator, error) {
	if err := f.Check(); err != nil {
		return nil, err
	}
	return &Aggregator{f: f}, nil
}

// Add takes one answer. Answers may come in any order.
func (g *Aggregator) Add(a Answer) {
	a, err := a.Validate()
	if err != nil {
		g.invalid++
		return
	}
	if g.first == nil {
		g.first = map[string]Answer{}
	}
	if old, ok := g.first[a.RequestID]; ok {
		g.duplicates++
		if !a.AnsweredAt.Before(old.AnsweredAt) {
			return
		}
	}
	g.first[a.RequestID] = a
}

// Summary is the figures of the answers added so far.
func (g *Aggregator) Summary() Summary {
	s := Summary{From: g.f.From, To: g.f.To, Service: g.f.Service, Office: g.f.Office,
		Duplicates: g.duplicates, Invalid: g.invalid}
	byService, byOffice, byMonth := map[string]*Tally{}, map[string]*Tally{}, map[string]*Tally{}
	add := func(m map[string]*Tally, key string, a Answer) {
		t := m[key]
		if t == nil {
			t = &Tally{}
			m[key] = t
		}
		t.Add(a)
	}
	profile := [4]map[string]int{{}, {}, {}, {}}
	for _, id := range slices.Sorted(maps.Keys(g.first)) {
		a := g.first[id]
		if !g.f.Match(a) {
			continue
		}
		s.Total.Add(a)
		add(byService, a.Service, a)
		add(byOffice, a.Office, a)
		add(byMonth, a.Day()[:7], a)
		for i, v := range []string{a.Age, a.Sex, a.Education, a.Occupation} {
			profile[i][v]++
		}
	}
	s.ByService, s.ByOffice, s.ByMonth = groups(byService), groups(byOffice), groups(byMonth)
	s.Profile = Profile{counts(profile[0], AgeGroups), counts(profile[1], Sexes), counts(profile[2], Educations), counts(profile[3], Occupations)}
	return s
}

func groups(m map[string]*Tally) []Group {
	out := []Group{}
	for _, k := range slices.SortedFunc(maps.Keys(m), func(a, b string) int {
		switch {
		case natural.Less(a, b):
			return -1
		case natural.Less(b, a):
			return 1
		}
		return 0
	}) {
		out = append(out, Group{k, *m[k]})
	}
	return out
}

func counts(m map[string]int, list []string) []Count {
	out := []Count{}
	for _, k := range list {
		out = append(out, Count{k, m[k]})
	}
	if n := m[""]; n > 0 {
		out = append(out, Count{"", n})
	}
	return out
}

// Summarize is the figures of the answers f picks: Aggregator for a
// sequence (slices.Values(answers) for a slice).
func Summarize(f Filter, answers iter.Seq[Answer]) (Summary, error) {
	g, err := NewAggregator(f)
	if err != nil {
		return Summary{}, err
	}
	for a := range answers {
		g.Add(a)
	}
	return g.Summary(), nil
}
