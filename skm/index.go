package skm

import (
	"encoding/json"
	"fmt"
)

// Ratio is an exact value Num/Den (Den > 0), as the index and the
// averages are kept; the zero Ratio (Den 0) is no value (no respondent).
type Ratio struct {
	Num, Den int64
}

// Valid tells whether r is a value (it had respondents).
func (r Ratio) Valid() bool { return r.Den > 0 }

// Hundredths is r rounded to two decimals, half up, times 100: 88.305 is
// 8831. Values are never negative.
func (r Ratio) Hundredths() int64 {
	if r.Den <= 0 {
		return 0
	}
	return (200*r.Num + r.Den) / (2 * r.Den)
}

// String is r rounded to two decimals ("77.78"), "–" when it is no value.
func (r Ratio) String() string {
	if !r.Valid() {
		return NoData
	}
	h := r.Hundredths()
	return fmt.Sprintf("%d.%02d", h/100, h%100)
}

// Rounded is r rounded to two decimals, as a float64 for JSON.
func (r Ratio) Rounded() float64 { return float64(r.Hundredths()) / 100 }

// NoData is what a figure shows where nobody answered (as stats.NoData).
const NoData = "–"

// Category is the quality category (mutu pelayanan) of a value on the
// 25–100 scale: "A" to "D", "" when there is no value. Its text is i18n's
// "skm.cat." + the category (Sangat Baik, Baik, Kurang Baik, Tidak Baik).
type Category string

// The categories, best first.
const (
	CatA Category = "A" // 88.31–100.00, sangat baik
	CatB Category = "B" // 76.61–88.30, baik
	CatC Category = "C" // 65.00–76.60, kurang baik
	CatD Category = "D" // 25.00–64.99, tidak baik
)

// Categories are the categories, best first.
var Categories = []Category{CatA, CatB, CatC, CatD}

// CategoryOf is the category of a value on the 25–100 scale, by its value
// rounded to two decimals (see the package comment): the regulation's
// bounds leave gaps of 0.01 that only a rounded value never falls in.
func CategoryOf(v Ratio) Category {
	if !v.Valid() {
		return ""
	}
	switch h := v.Hundredths(); {
	case h >= 8831:
		return CatA
	case h >= 7661:
		return CatB
	case h >= 6500:
		return CatC
	}
	return CatD
}

// Tally is the sums of a set of answers, from which every figure is
// computed exactly: how many answered and each element's total score.
type Tally struct {
	Respondents int
	Sums        [NumElements]int
}

// Add counts one answer (valid: every score 1 to 4).
func (t *Tally) Add(a Answer) {
	t.Respondents++
	for i, s := range a.Scores {
		t.Sums[i] += s
	}
}

// Merge adds the counts of u.
func (t *Tally) Merge(u Tally) {
	t.Respondents += u.Respondents
	for i, s := range u.Sums {
		t.Sums[i] += s
	}
}

// NRR is the element's average score (nilai rata-rata), 1 to 4.
func (t Tally) NRR(e Element) Ratio {
	if t.Respondents == 0 {
		return Ratio{}
	}
	return Ratio{int64(t.Sums[e]), int64(t.Respondents)}
}

// ElementIndex is the element's NRR on the index's scale (× 25, 25–100),
// which its category is of.
func (t Tally) ElementIndex(e Element) Ratio {
	if t.Respondents == 0 {
		return Ratio{}
	}
	return Ratio{25 * int64(t.Sums[e]), int64(t.Respondents)}
}

// IKM is the index: Σ NRRᵢ × 1/9 × 25 with exact ninths, which is
// 25 × (the sum of every score) / (9 × respondents).
func (t Tally) IKM() Ratio {
	if t.Respondents == 0 {
		return Ratio{}
	}
	var total int64
	for _, s := range t.Sums {
		total += int64(s)
	}
	return Ratio{25 * total, NumElements * int64(t.Respondents)}
}

// Category is the category of the index.
func (t Tally) Category() Category { return CategoryOf(t.IKM()) }

// tallyJSON is a Tally as JSON: the counts it is read back from, and the
// figures for readers (NRR and index to two decimals).
type tallyJSON struct {
	Respondents int              `json:"respondents"`
	Sums        [NumElements]int `json:"sums"`
	NRR         []float64        `json:"nrr"`
	IKM         float64          `json:"ikm"`
	Category    Category         `json:"category"`
}

// MarshalJSON writes the counts and the figures: {"respondents": 3,
// "sums": [...], "nrr": [3.11, ...], "ikm": 77.78, "category": "B"}.
func (t Tally) MarshalJSON() ([]byte, error) {
	j := tallyJSON{Respondents: t.Respondents, Sums: t.Sums, NRR: []float64{}, Category: t.Category()}
	if t.Respondents > 0 {
		for _, e := range Elements {
			j.NRR = append(j.NRR, t.NRR(e).Rounded())
		}
		j.IKM = t.IKM().Rounded()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads the counts back; the figures are computed from them.
func (t *Tally) UnmarshalJSON(b []byte) error {
	var j tallyJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	if j.Respondents < 0 {
		return fmt.Errorf("skm: %d respondents", j.Respondents)
	}
	for i, s := range j.Sums {
		if s < MinScore*j.Respondents || s > MaxScore*j.Respondents {
			return fmt.Errorf("skm: U%d sums to %d for %d respondents", i+1, s, j.Respondents)
		}
	}
	t.Respondents, t.Sums = j.Respondents, j.Sums
	return nil
}
