package skm

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loket-id/loket/i18n"
)

func sample(t *testing.T) Summary {
	t.Helper()
	s28 := [NumElements]int{3, 3, 3, 3, 3, 3, 3, 3, 4}
	s36 := [NumElements]int{4, 4, 4, 4, 4, 4, 4, 4, 4}
	in := []Answer{
		answer(1, "A", "Bandung", day(2, 9), s28),
		answer(2, "A", "Bandung", day(3, 9), s36),
		answer(3, "B", "=Cimahi", time.Date(2026, 12, 1, 8, 0, 0, 0, wib), s28),
	}
	in[1].Sex, in[2].Sex, in[2].Occupation = "m", "", ""
	dup := in[0]
	dup.AnsweredAt = day(5, 9)
	s, err := Summarize(Filter{From: "2026-11-01", To: "2026-12-31"}, slices.Values(append(in, dup)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestWriteText(t *testing.T) {
	s := sample(t)
	for _, tc := range []struct {
		lang, by string
		want     []string
	}{
		{"id", "service", []string{"Survei Kepuasan Masyarakat (SKM) 2026-11-01 .. 2026-12-31",
			"Responden: 3   IKM: 85.19   Mutu pelayanan: B (Baik)", // 25·92/27
			"Tidak dihitung: jawaban kedua untuk permohonan yang sama 1, jawaban tidak sah 0",
			"U1 Persyaratan                              3.33  83.33        B", "U9 Sarana dan prasarana                     4.00  100.00       A",
			"Menurut layanan:", "LAYANAN  RESPONDEN  IKM    MUTU", "A        2          88.89  A", "B        1          77.78  B",
			"Jenis kelamin: Laki-laki 1, Perempuan 1, Tidak diisi 1", "Pekerjaan: PNS 0, TNI 0, POLRI 0, Pegawai swasta 2, Wirausaha 0, Lainnya 0, Tidak diisi 1"}},
		{"en", "month", []string{"Public Satisfaction Survey (SKM)", "Respondents: 3   IKM: 85.19   Service quality: B (Good)",
			"By month:", "2026-11  2            88.89  A", "2026-12  1            77.78  B", "Competence of the staff", "Sex: Male 1, Female 1, Not stated 1"}},
		{"en", "office", []string{"=Cimahi"}},
	} {
		var b bytes.Buffer
		if err := s.WriteText(&b, tc.by, i18n.For(tc.lang)); err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s by %s lacks %q:\n%s", tc.lang, tc.by, w, b.String())
			}
		}
	}
	var b bytes.Buffer
	if err := (Summary{}).WriteText(&b, "", i18n.For("id")); err != nil || !strings.Contains(b.String(), "Belum ada jawaban survei") ||
		!strings.Contains(b.String(), "semua tanggal") || !strings.Contains(b.String(), "U1 Persyaratan                              –    –") {
		t.Errorf("empty: %v\n%s", err, b.String())
	}
	if err := s.WriteText(&b, "clerk", i18n.For("id")); err == nil {
		t.Error("--by clerk accepted")
	}
}

func TestWriteCSV(t *testing.T) {
	s := sample(t)
	for _, tc := range []struct{ by, want string }{
		{"", "element,respondents,sum,nrr,index,category\nU1,3,10,3.33,83.33,B\nU2,3,10,3.33,83.33,B\nU3,3,10,3.33,83.33,B\nU4,3,10,3.33,83.33,B\nU5,3,10,3.33,83.33,B\nU6,3,10,3.33,83.33,B\nU7,3,10,3.33,83.33,B\nU8,3,10,3.33,83.33,B\nU9,3,12,4.00,100.00,A\nIKM,3,92,,85.19,B\n"},
		{"office", "office,respondents,ikm,category,nrr_u1,nrr_u2,nrr_u3,nrr_u4,nrr_u5,nrr_u6,nrr_u7,nrr_u8,nrr_u9\n'=Cimahi,1,77.78,B,3.00,3.00,3.00,3.00,3.00,3.00,3.00,3.00,4.00\nBandung,2,88.89,A,3.50,3.50,3.50,3.50,3.50,3.50,3.50,3.50,4.00\n"},
	} {
		var b bytes.Buffer
		if err := s.WriteCSV(&b, tc.by); err != nil {
			t.Fatal(err)
		}
		if b.String() != tc.want {
			t.Errorf("by %q:\n%s\nwant\n%s", tc.by, b.String(), tc.want)
		}
	}
}
