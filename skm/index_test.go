package skm

import (
	"encoding/json"
	"fmt"
	"testing"
)

// with0111 is the index as offices compute it with the weight printed as
// 0.111 (Σ NRRᵢ × 0.111 × 25), in hundredths rounded half up, in integers
// so the comparison is not float noise: 25·0.111·T/n = 2775·T/(1000·n).
func with0111(t Tally) int64 {
	var total int64
	for _, s := range t.Sums {
		total += int64(s)
	}
	return Ratio{2775 * total, 1000 * int64(t.Respondents)}.Hundredths()
}

// tally counts answers with the given scores.
func tally(scores ...[NumElements]int) Tally {
	var t Tally
	for _, s := range scores {
		t.Add(Answer{Scores: s})
	}
	return t
}

// even is n respondents whose scores total total, spread evenly over the
// elements (the remainder on U1): the index depends only on the total.
func even(n, total int) Tally {
	t := Tally{Respondents: n}
	for i := range t.Sums {
		t.Sums[i] = total / NumElements
	}
	t.Sums[0] += total % NumElements
	return t
}

func TestIndex(t *testing.T) {
	s28 := [NumElements]int{3, 3, 3, 3, 3, 3, 3, 3, 4} // averages 3.11
	s32 := [NumElements]int{4, 4, 4, 4, 4, 3, 3, 3, 3}
	s31 := [NumElements]int{4, 4, 4, 4, 3, 3, 3, 3, 3}
	s27 := [NumElements]int{3, 3, 3, 3, 3, 3, 3, 3, 3}
	for _, tc := range []struct {
		name    string
		t       Tally
		ikm     string
		cat     Category
		ikm0111 string   // with the weight 0.111
		cat0111 Category // and its category
	}{
		// The case: answers averaging 3.11 (28/9).
		{"average 3.11", tally(s28), "77.78", CatB, "77.70", CatB},
		{"three alike", tally(s28, s28, s28), "77.78", CatB, "77.70", CatB},
		{"all 4", tally([NumElements]int{4, 4, 4, 4, 4, 4, 4, 4, 4}), "100.00", CatA, "99.90", CatA},
		{"all 1", tally([NumElements]int{1, 1, 1, 1, 1, 1, 1, 1, 1}), "25.00", CatD, "24.98", CatD},
		{"all 3", tally(s27), "75.00", CatC, "74.93", CatC},
		// Near a boundary, 0.111 moves the office down a category:
		// 5 respondents, total 159: 25·159/45 = 88.333 (A); 88.245 → 88.25 (B).
		{"A, B with 0.111", tally(s32, s32, s32, s32, s31), "88.33", CatA, "88.25", CatB},
		// 5 respondents, total 138: 76.667 (B); 76.59 (C).
		{"B, C with 0.111", tally(s28, s28, s28, s27, s27), "76.67", CatB, "76.59", CatC},
		// Exactly on a half hundredth: rounded half up, then categorised.
		{"88.305", even(5000, 158949), "88.31", CatA, "88.22", CatB},
		{"88.3044", even(5000, 158948), "88.30", CatB, "88.22", CatB},
		{"76.605", even(5000, 137889), "76.61", CatB, "76.53", CatC},
		{"64.995", even(5000, 116991), "65.00", CatC, "64.93", CatD},
		{"64.9944", even(5000, 116990), "64.99", CatD, "64.93", CatD},
		{"none", Tally{}, "–", "", "", ""},
	} {
		ikm := tc.t.IKM()
		if got := ikm.String(); got != tc.ikm {
			t.Errorf("%s: IKM %s (%d/%d), want %s", tc.name, got, ikm.Num, ikm.Den, tc.ikm)
		}
		if got := tc.t.Category(); got != tc.cat {
			t.Errorf("%s: category %q, want %q", tc.name, got, tc.cat)
		}
		if tc.t.Respondents == 0 {
			continue
		}
		h := with0111(tc.t)
		if got := fmt.Sprintf("%d.%02d", h/100, h%100); got != tc.ikm0111 {
			t.Errorf("%s: with 0.111 %s, want %s", tc.name, got, tc.ikm0111)
		}
		if got := CategoryOf(Ratio{h, 100}); got != tc.cat0111 {
			t.Errorf("%s: with 0.111 category %q, want %q", tc.name, got, tc.cat0111)
		}
	}
}

// TestIndexIsSumOfWeightedNRR: the integer form 25·T/(9n) is the
// regulation's Σ NRRᵢ × 1/9 × 25, checked with exact fractions for mixed
// answers.
func TestIndexIsSumOfWeightedNRR(t *testing.T) {
	tl := tally([NumElements]int{1, 2, 3, 4, 4, 3, 2, 1, 4}, [NumElements]int{4, 4, 3, 3, 2, 2, 1, 1, 4}, [NumElements]int{2, 3, 3, 3, 3, 3, 4, 4, 1})
	// Σ NRRᵢ/9·25 = Σ (Sᵢ/n)/9·25 over a common denominator 9n.
	var num int64
	for _, e := range Elements {
		r := tl.NRR(e)
		num += 25 * r.Num // r.Den is n for every element
	}
	want := Ratio{num, 9 * int64(tl.Respondents)}
	if got := tl.IKM(); got.Num*want.Den != want.Num*got.Den {
		t.Fatalf("IKM %d/%d, Σ weighted NRR %d/%d", got.Num, got.Den, want.Num, want.Den)
	}
	for _, tc := range []struct {
		e        Element
		nrr, idx string
		cat      Category
	}{
		{Requirements, "2.33", "58.33", CatD}, // 7/3
		{Procedure, "3.00", "75.00", CatC},
		{Time, "3.00", "75.00", CatC},
		{Behaviour, "2.33", "58.33", CatD},
		{Facilities, "3.00", "75.00", CatC},
	} {
		if got := tl.NRR(tc.e).String(); got != tc.nrr {
			t.Errorf("%s NRR %s, want %s", tc.e.Code(), got, tc.nrr)
		}
		if got := tl.ElementIndex(tc.e).String(); got != tc.idx {
			t.Errorf("%s index %s, want %s", tc.e.Code(), got, tc.idx)
		}
		if got := CategoryOf(tl.ElementIndex(tc.e)); got != tc.cat {
			t.Errorf("%s category %s, want %s", tc.e.Code(), got, tc.cat)
		}
	}
	if got := tl.IKM().String(); got != "68.52" { // 25·74/27 = 68.519
		t.Errorf("IKM %s", got)
	}
}

func TestTallyJSON(t *testing.T) {
	tl := tally([NumElements]int{3, 3, 3, 3, 3, 3, 3, 3, 4})
	b, err := json.Marshal(tl)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"respondents":1,"sums":[3,3,3,3,3,3,3,3,4],"nrr":[3,3,3,3,3,3,3,3,4],"ikm":77.78,"category":"B"}`
	if string(b) != want {
		t.Errorf("JSON %s\nwant %s", b, want)
	}
	var back Tally
	if err := json.Unmarshal(b, &back); err != nil || back != tl {
		t.Errorf("read back %+v, %v", back, err)
	}
	for _, bad := range []string{`{"respondents":-1}`, `{"respondents":1,"sums":[5,3,3,3,3,3,3,3,3]}`, `{"respondents":2,"sums":[1,3,3,3,3,3,3,3,3]}`} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("read %s", bad)
		}
	}
	if b, _ := json.Marshal(Tally{}); string(b) != `{"respondents":0,"sums":[0,0,0,0,0,0,0,0,0],"nrr":[],"ikm":0,"category":""}` {
		t.Errorf("empty JSON %s", b)
	}
}
