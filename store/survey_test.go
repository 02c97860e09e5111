package store

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/skm"
)

// answerOf is an answer with the same score for every element.
func answerOf(score int, comment string) skm.Answer {
	a := skm.Answer{Office: "3273", Station: "HUB", Comment: comment, Age: "30-39", Sex: "f"}
	for i := range a.Scores {
		a.Scores[i] = score
	}
	return a
}

// doneRequest registers in and finishes it (called, then done).
func doneRequest(t testing.TB, s *Store, clk *fakeClock, in queue.NewRequest) queue.Request {
	t.Helper()
	r := mustRegister(t, s, in)
	clk.Add(time.Minute)
	if _, err := s.Act(ctx, r.ID, queue.ActCall, "", clerk); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Minute)
	r, err := s.Act(ctx, r.ID, queue.ActDone, "", clerk)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func surveyCode(err error) string {
	var fe *queue.FieldError
	if errors.As(err, &fe) {
		return fe.Field + "/" + fe.Code
	}
	return ""
}

func allSurveys(t testing.TB, s *Store, f skm.Filter) []skm.Answer {
	t.Helper()
	var out []skm.Answer
	if err := s.Surveys(ctx, f, func(a skm.Answer) error { out = append(out, a); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

var tablet = queue.Actor{Counter: "T1"}

// TestAnswerSurvey: an answer is taken once per request, only when it is
// done, found by the tracking code in any way it is written; refusals
// write nothing and say why (the error and the i18n code); the
// idempotency key gives the first answer again and refuses another
// payload; the answer's comment is its own personal part, never the
// request's; the request stays surveyed after a reopen of the file; the
// event carries the comment to the sync; Check is content.
func TestAnswerSurvey(t *testing.T) {
	s, clk := openTest(t)
	waiting := mustRegister(t, s, walkIn("A", "Siti Aminah"))
	seq := lastSeq(t, s)
	for _, tc := range []struct {
		name, code string
		a          skm.Answer
		is         error
		field      string
	}{
		{"not done", waiting.TrackingCode, answerOf(4, ""), ErrSurveyNotDone, "status/survey.done"},
		{"unknown code", "ABCD-EFGH-JKLM", answerOf(4, ""), queue.ErrNotFound, ""},
		{"not a code", "A-001", answerOf(4, ""), queue.ErrInvalid, "tracking_code/skm.tracking"},
	} {
		_, _, err := s.AnswerSurvey(ctx, "", tc.code, tc.a, tablet)
		if !errors.Is(err, tc.is) || surveyCode(err) != tc.field {
			t.Errorf("%s: %v (%s), want %v %s", tc.name, err, surveyCode(err), tc.is, tc.field)
		}
	}

	r := doneRequest(t, s, clk, walkIn("B", "Budi Santoso"))
	seq = lastSeq(t, s)
	bad := answerOf(4, "")
	bad.Scores[2] = 5
	nik := answerOf(4, "hubungi saya 0812 3456 7890")
	for _, tc := range []struct {
		name  string
		a     skm.Answer
		field string
	}{
		{"score 5", bad, "u3/skm.score"},
		{"a phone number in the comment", nik, "comment/skm.comment.number"},
		{"an unknown age group", func() skm.Answer { a := answerOf(3, ""); a.Age = "99"; return a }(), "age/skm.choice"},
	} {
		if _, _, err := s.AnswerSurvey(ctx, "", r.TrackingCode, tc.a, tablet); !errors.Is(err, queue.ErrInvalid) || surveyCode(err) != tc.field {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.field)
		}
	}
	if lastSeq(t, s) != seq {
		t.Fatal("a refused answer wrote an event")
	}

	key := ulid.Make().String()
	clk.Add(10 * time.Minute)
	lower := "  " + string([]byte{r.TrackingCode[0] | 0x20}) + r.TrackingCode[1:] + " " // the code as typed
	got, again, err := s.AnswerSurvey(ctx, key, lower, answerOf(3, "Pelayanan cepat dan ramah"), tablet)
	if err != nil || again || !got.Surveyed || got.Name != "Budi Santoso" || got.NIK != r.NIK {
		t.Fatalf("answer: %+v again=%v %v", got, again, err)
	}
	if lastSeq(t, s) != seq+1 {
		t.Fatalf("an answer wrote %d events", lastSeq(t, s)-seq)
	}
	// Sent again with its key: the first answer, nothing written.
	got2, again, err := s.AnswerSurvey(ctx, key, r.TrackingCode, answerOf(3, "Pelayanan cepat dan ramah"), tablet)
	if err != nil || !again || !got2.Surveyed || lastSeq(t, s) != seq+1 {
		t.Fatalf("again with the key: %+v again=%v %v", got2, again, err)
	}
	// The key with another answer: refused.
	if _, _, err := s.AnswerSurvey(ctx, key, r.TrackingCode, answerOf(1, ""), tablet); !errors.Is(err, ErrKeyReused) {
		t.Fatalf("the key with another answer: %v", err)
	}
	// A second answer: refused, the first stands.
	if _, _, err := s.AnswerSurvey(ctx, ulid.Make().String(), r.TrackingCode, answerOf(1, ""), tablet); !errors.Is(err, ErrSurveyed) || surveyCode(err) != "status/survey.once" {
		t.Fatalf("second answer: %v (%s)", err, surveyCode(err))
	}
	if lastSeq(t, s) != seq+1 {
		t.Fatal("a refused answer wrote an event")
	}

	// The request keeps its own personal part; the event carries the
	// comment beside it, its digest in the data.
	cur, hist, err := s.Detail(ctx, r.ID)
	if err != nil || cur.Name != "Budi Santoso" || cur.Notes != r.Notes || !cur.Surveyed {
		t.Fatalf("request after the answer: %+v %v", cur, err)
	}
	last := hist[len(hist)-1]
	if last.Type != queue.EventSurveyed || last.Personal == nil || last.Personal.Notes != "Pelayanan cepat dan ramah" ||
		len(last.Personal.Key) != queue.PersonalKeySize || last.Personal.Name != "" || last.Counter != "T1" {
		t.Fatalf("survey event: %+v personal %+v", last, last.Personal)
	}
	var evs []queue.Event
	err = s.View(ctx, func(tx *Tx) error { evs, err = tx.Events(seq, 10); return err })
	if err != nil || len(evs) != 1 || evs[0].Personal == nil {
		t.Fatalf("the event for the sync: %+v %v", evs, err)
	}
	a, err := skm.FromEvent(evs[0].Data, evs[0].Personal)
	if err != nil || a.Comment != "Pelayanan cepat dan ramah" || a.RequestID != r.ID || a.Service != "B" || a.Total() != 27 ||
		!a.AnsweredAt.Equal(clk.Now()) || a.Day() != "2026-11-27" || a.Office != "3273" {
		t.Fatalf("answer from the event: %+v %v", a, err)
	}
	mustCheck(t, s)

	// After a reopen of the file the request is still surveyed.
	path := s.Path()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(path, Options{Clock: clk.Now, Location: jakarta})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if _, _, err := s2.AnswerSurvey(ctx, "", r.TrackingCode, answerOf(2, ""), tablet); !errors.Is(err, ErrSurveyed) {
		t.Fatalf("second answer after reopen: %v", err)
	}
	got3 := allSurveys(t, s2, skm.Filter{})
	if len(got3) != 1 || got3[0].Comment != "Pelayanan cepat dan ramah" || got3[0].Scores != answerOf(3, "").Scores {
		t.Fatalf("surveys: %+v", got3)
	}
}

// TestSurveysIndex: three answers on two days and two services, whose
// scores sum to 84 of 27 element scores: the index is 77.78 (category B)
// by hand (25 × 84 / 27 = 77.777…), and not the 77.70 of the rounded
// weight 0.111; the filters pick by the answer's day (not the request's)
// and service.
func TestSurveysIndex(t *testing.T) {
	s, clk := openTest(t)
	scores := [][skm.NumElements]int{{4, 4, 4, 4, 4, 4, 4, 4, 4}, {3, 3, 3, 3, 3, 3, 3, 3, 3}, {2, 2, 2, 2, 3, 2, 2, 3, 3}}
	var rs []queue.Request
	for i := range scores {
		rs = append(rs, doneRequest(t, s, clk, walkIn([]string{"A", "A", "B"}[i], "Pemohon")))
	}
	for i, sc := range scores {
		if i == 2 {
			clk.Add(24 * time.Hour) // the third answered the next day
		}
		a := answerOf(1, "")
		a.Scores = sc
		if _, _, err := s.AnswerSurvey(ctx, "", rs[i].TrackingCode, a, tablet); err != nil {
			t.Fatal(err)
		}
	}
	all := allSurveys(t, s, skm.Filter{})
	sum, err := skm.Summarize(skm.Filter{}, slices.Values(all))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Total.Respondents != 3 || sum.Total.IKM().String() != "77.78" || sum.Total.Category() != skm.CatB {
		t.Fatalf("index: %d respondents, %s %s", sum.Total.Respondents, sum.Total.IKM(), sum.Total.Category())
	}
	day1, day2 := rs[0].Day, s.Today()
	for _, tc := range []struct {
		f    skm.Filter
		want int
	}{
		{skm.Filter{From: day1, To: day1}, 2},
		{skm.Filter{From: day2, To: day2}, 1}, // the request arrived on day 1
		{skm.Filter{To: day1}, 2},
		{skm.Filter{Service: "A"}, 2},
		{skm.Filter{Service: "B", From: day2}, 1},
		{skm.Filter{Office: "9999"}, 0},
	} {
		if got := allSurveys(t, s, tc.f); len(got) != tc.want {
			t.Errorf("filter %+v: %d answers, want %d", tc.f, len(got), tc.want)
		}
	}
	if err := s.Surveys(ctx, skm.Filter{From: "2026-12-01", To: "2026-11-01"}, func(skm.Answer) error { return nil }); !errors.Is(err, queue.ErrInvalid) {
		t.Fatalf("a backward filter: %v", err)
	}
}

// TestSurveyErased: the comment is erased with the request's personal
// part, by Forget and by Purge: no byte of the files holds it after, the
// scores stay and count; a request erased before its answer takes an
// answer without a comment, and refuses one with a comment, saying why.
func TestSurveyErased(t *testing.T) {
	s, clk := openTest(t)
	forgot := doneRequest(t, s, clk, person(1))
	purged := doneRequest(t, s, clk, person(2))
	other := doneRequest(t, s, clk, person(3))
	comments := []string{"Komentar rahasia satu Zulkarnainkomentar", "Komentar rahasia dua Zulkarnainkomentar", "Komentar rahasia tiga Zulkarnainkomentar"}
	for i, r := range []queue.Request{forgot, purged, other} {
		if _, _, err := s.AnswerSurvey(ctx, "", r.TrackingCode, answerOf(4-i, comments[i]), tablet); err != nil {
			t.Fatal(err)
		}
	}
	if found := grepDir(t, filepath.Dir(s.Path()), comments...); len(found) != 3 {
		t.Fatalf("the comments are not in the file before the erasure: %v", found)
	}
	if _, err := s.Forget(ctx, person(1).NIK, "permintaan pemohon", clerk); err != nil {
		t.Fatal(err)
	}
	// Purge: the two others were done today; two days later they are
	// purged.
	clk.Add(48 * time.Hour)
	if _, err := s.Purge(ctx, s.Today(), false, clerk); err != nil {
		t.Fatal(err)
	}
	if found := grepDir(t, filepath.Dir(s.Path()), comments...); len(found) != 0 {
		t.Fatalf("erased comments are still in the files: %v", found)
	}
	all := allSurveys(t, s, skm.Filter{})
	if len(all) != 3 {
		t.Fatalf("%d answers after the erasure, want 3", len(all))
	}
	for _, a := range all {
		if a.Comment != "" {
			t.Errorf("answer of %s keeps its comment %q after the erasure", a.RequestID, a.Comment)
		}
	}
	sum, _ := skm.Summarize(skm.Filter{}, slices.Values(all))
	if sum.Total.IKM().String() != "75.00" { // (4+3+2)·9·25 / 27
		t.Fatalf("index after the erasure: %s", sum.Total.IKM())
	}
	mustCheck(t, s)

	// Erased before it is answered: no comment can be kept.
	late := doneRequest(t, s, clk, person(4))
	if _, err := s.Forget(ctx, person(4).NIK, "permintaan pemohon", clerk); err != nil {
		t.Fatal(err)
	}
	seq := lastSeq(t, s)
	if _, _, err := s.AnswerSurvey(ctx, "", late.TrackingCode, answerOf(3, "ada komentar"), tablet); !errors.Is(err, queue.ErrInvalid) || surveyCode(err) != "comment/survey.erased" || lastSeq(t, s) != seq {
		t.Fatalf("a comment on an erased request: %v", err)
	}
	if r, _, err := s.AnswerSurvey(ctx, "", late.TrackingCode, answerOf(3, ""), tablet); err != nil || !r.Surveyed || !r.Erased {
		t.Fatalf("an answer without comment on an erased request: %+v %v", r, err)
	}
	mustCheck(t, s)
}
