package skm

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
)

var wib = time.FixedZone("WIB", 7*3600)

func valid() Answer {
	return Answer{RequestID: "01JD8X3Q4T5V6W7X8Y9Z0ABCDE", TrackingCode: "QSHX-NZDT-Q7KM", Service: "A", Office: "DPMPTSP Kota Bandung",
		Station: "L1", AnsweredAt: time.Date(2026, 11, 27, 10, 30, 0, 0, wib), Scores: [NumElements]int{3, 3, 3, 3, 3, 3, 3, 3, 4},
		Comment: "Pelayanan cepat, ruang tunggu nyaman.", Age: "30-39", Sex: "f", Education: "s1", Occupation: "swasta"}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name        string
		edit        func(*Answer)
		field, code string
	}{
		{"valid", func(*Answer) {}, "", ""},
		{"nothing stated", func(a *Answer) {
			a.Comment, a.Age, a.Sex, a.Education, a.Occupation, a.Office, a.Station = "", "", "", "", "", "", ""
		}, "", ""},
		{"no request", func(a *Answer) { a.RequestID = " " }, "request_id", "required"},
		{"not a request ID", func(a *Answer) { a.RequestID = "A-001" }, "request_id", "skm.request"},
		{"no code", func(a *Answer) { a.TrackingCode = "" }, "tracking_code", "required"},
		{"bad code", func(a *Answer) { a.TrackingCode = "QSHX-NZDT-Q7K0" }, "tracking_code", "skm.tracking"},
		{"bad service", func(a *Answer) { a.Service = "A1" }, "service", ""},
		{"office control", func(a *Answer) { a.Office = "Kantor\x1b[2J" }, "office", "text.control"},
		{"no time", func(a *Answer) { a.AnsweredAt = time.Time{} }, "answered_at", "required"},
		{"U1 zero", func(a *Answer) { a.Scores[0] = 0 }, "u1", "skm.score"},
		{"U3 five", func(a *Answer) { a.Scores[2] = 5 }, "u3", "skm.score"},
		{"U9 negative", func(a *Answer) { a.Scores[8] = -1 }, "u9", "skm.score"},
		{"comment escape", func(a *Answer) { a.Comment = "bagus\x1b]0;x\x07" }, "comment", "text.control"},
		{"comment newline", func(a *Answer) { a.Comment = "bagus\nsekali" }, "comment", "text.control"},
		{"comment bidi", func(a *Answer) { a.Comment = "bagus \u202e" }, "comment", "text.bidi"},
		{"comment utf8", func(a *Answer) { a.Comment = "bagus \xff" }, "comment", "text.utf8"},
		{"comment long", func(a *Answer) { a.Comment = strings.Repeat("é", MaxCommentLen+1) }, "comment", "text.length"},
		{"comment longest", func(a *Answer) { a.Comment = strings.Repeat("é", MaxCommentLen) }, "", ""},
		{"comment NIK", func(a *Answer) { a.Comment = "NIK saya 3201 0141 0790 0001" }, "comment", "skm.comment.number"},
		{"comment phone", func(a *Answer) { a.Comment = "hubungi 0812-3456-7890" }, "comment", "skm.comment.number"},
		{"comment money", func(a *Answer) { a.Comment = "biaya Rp 1.500.000, antre 2 jam. 2026" }, "", ""},
		{"age", func(a *Answer) { a.Age = "31" }, "age", "skm.choice"},
		{"sex", func(a *Answer) { a.Sex = "x" }, "sex", "skm.choice"},
		{"education", func(a *Answer) { a.Education = "tk" }, "education", "skm.choice"},
		{"occupation", func(a *Answer) { a.Occupation = "guru" }, "occupation", "skm.choice"},
	} {
		a := valid()
		tc.edit(&a)
		got, err := a.Validate()
		if tc.field == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		var fe *queue.FieldError
		if !errors.As(err, &fe) || !errors.Is(err, queue.ErrInvalid) {
			t.Errorf("%s: error %v is not a FieldError", tc.name, err)
			continue
		}
		if fe.Field != tc.field || fe.Code != tc.code || !strings.HasPrefix(err.Error(), tc.field+": ") {
			t.Errorf("%s: %q (field %q code %q), want field %q code %q", tc.name, err, fe.Field, fe.Code, tc.field, tc.code)
		}
		_ = got
	}
}

func TestValidateNormalises(t *testing.T) {
	a := valid()
	a.RequestID, a.TrackingCode, a.Service = " 01jd8x3q4t5v6w7x8y9z0abcde", "qshx nzdt q7km", " a "
	a.Comment, a.Sex, a.Education = "  cepat  ", " F", "S1 "
	got, err := a.Validate()
	if err != nil {
		t.Fatal(err)
	}
	if got.RequestID != "01JD8X3Q4T5V6W7X8Y9Z0ABCDE" || got.TrackingCode != "QSHX-NZDT-Q7KM" || got.Service != "A" ||
		got.Comment != "cepat" || got.Sex != "f" || got.Education != "s1" {
		t.Errorf("stored form %+v", got)
	}
	if got.Day() != "2026-11-27" || got.Total() != 28 {
		t.Errorf("day %s total %d", got.Day(), got.Total())
	}
	// The day is the office's: 00:30 WIB on 1 December (30 November in
	// UTC) is 1 December, also once read back from JSON.
	early := valid()
	early.AnsweredAt = time.Date(2026, 12, 1, 0, 30, 0, 0, wib)
	b, _ := json.Marshal(early)
	var back Answer
	if err := json.Unmarshal(b, &back); err != nil || early.Day() != "2026-12-01" || back.Day() != "2026-12-01" {
		t.Errorf("day %s, read back %s (%v)", early.Day(), back.Day(), err)
	}
}
