package speech

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/loket-id/loket/speech/internal/clipset"
)

func TestNumberWords(t *testing.T) {
	for _, tc := range []struct {
		n      int
		id, en string
	}{
		{0, "nol", "zero"},
		{1, "satu", "one"},
		{7, "tujuh", "seven"},
		{10, "sepuluh", "ten"},
		{11, "sebelas", "eleven"},
		{12, "dua belas", "twelve"},
		{19, "sembilan belas", "nineteen"},
		{20, "dua puluh", "twenty"},
		{21, "dua puluh satu", "twenty-one"},
		{99, "sembilan puluh sembilan", "ninety-nine"},
		{100, "seratus", "one hundred"},
		{101, "seratus satu", "one hundred one"},
		{110, "seratus sepuluh", "one hundred ten"},
		{111, "seratus sebelas", "one hundred eleven"},
		{115, "seratus lima belas", "one hundred fifteen"},
		{200, "dua ratus", "two hundred"},
		{342, "tiga ratus empat puluh dua", "three hundred forty-two"},
		{999, "sembilan ratus sembilan puluh sembilan", "nine hundred ninety-nine"},
		{1000, "seribu", "one thousand"},
		{1011, "seribu sebelas", "one thousand eleven"},
		{1200, "seribu dua ratus", "one thousand two hundred"},
		{2345, "dua ribu tiga ratus empat puluh lima", "two thousand three hundred forty-five"},
		{9999, "sembilan ribu sembilan ratus sembilan puluh sembilan", "nine thousand nine hundred ninety-nine"},
	} {
		if got := numberItem("id", tc.n).word; got != tc.id {
			t.Errorf("id %d = %q, want %q", tc.n, got, tc.id)
		}
		if got := numberItem("en", tc.n).word; got != tc.en {
			t.Errorf("en %d = %q, want %q", tc.n, got, tc.en)
		}
	}
}

// Every clip a number, letter or phrase can use is in the clip set Load
// checks, and every clip in the set is used: so a folder that loads can
// say every announcement.
func TestClipSetCoversEveryAnnouncement(t *testing.T) {
	for _, lang := range clipset.Langs {
		need := map[string]bool{}
		for _, c := range clipset.Clips(lang) {
			need[c.Name] = false
		}
		use := func(what string, clips []string) {
			for _, c := range clips {
				if _, ok := need[c]; !ok {
					t.Fatalf("%s: %s uses clip %q, which is not in the clip set", lang, what, c)
				}
				need[c] = true
			}
		}
		for n := 0; n <= 9999; n++ {
			use(fmt.Sprint(n), numberItem(lang, n).clips)
		}
		for c := byte('A'); c <= 'Z'; c++ {
			use(string(c), letterItem(c).clips)
		}
		s, err := parse(lang, "A-1", "1")
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range s.items {
			use(it.word, it.clips)
		}
		for c, used := range need {
			if !used {
				t.Errorf("%s: clip %q is in the clip set but nothing says it", lang, c)
			}
		}
	}
}

func TestWords(t *testing.T) {
	for _, tc := range []struct {
		lang, ticket, counter string
		want                  string // Words joined with ", "
		text                  string
	}{
		{"id", "A-007", "L2", "nomor antrean, A, nol, nol, tujuh, silakan menuju, loket, dua",
			"Nomor antrean A-007, silakan menuju loket 2."},
		{"en", "A-007", "L2", "ticket number, A, zero, zero, seven, please go to, counter, two",
			"Ticket number A-007, please go to counter 2."},
		{"id", "B-1234", "L12", "nomor antrean, B, satu, dua, tiga, empat, silakan menuju, loket, dua belas",
			"Nomor antrean B-1234, silakan menuju loket 12."},
		{"id", " c-015 ", "115", "nomor antrean, C, nol, satu, lima, silakan menuju, loket, seratus lima belas",
			"Nomor antrean C-015, silakan menuju loket 115."},
		{"en", "AB-100", "Counter 21", "ticket number, A, B, one, zero, zero, please go to, counter, twenty-one",
			"Ticket number AB-100, please go to counter 21."},
	} {
		w, err := Words(tc.lang, tc.ticket, tc.counter)
		if err != nil {
			t.Fatalf("Words(%q, %q, %q): %v", tc.lang, tc.ticket, tc.counter, err)
		}
		if got := strings.Join(w, ", "); got != tc.want {
			t.Errorf("Words(%q, %q, %q) =\n  %s\nwant\n  %s", tc.lang, tc.ticket, tc.counter, got, tc.want)
		}
		text, err := Text(tc.lang, tc.ticket, tc.counter)
		if err != nil || text != tc.text {
			t.Errorf("Text(%q, %q, %q) = %q, %v; want %q", tc.lang, tc.ticket, tc.counter, text, err, tc.text)
		}
	}
}

func TestCounterWords(t *testing.T) {
	for _, tc := range []struct {
		code  string
		id    []string
		en    []string
		shown string
	}{
		{"2", []string{"dua"}, []string{"two"}, "2"},
		{"L2", []string{"dua"}, []string{"two"}, "2"},
		{"L12", []string{"dua belas"}, []string{"twelve"}, "12"},
		{"l-12", []string{"dua belas"}, []string{"twelve"}, "12"},
		{"L 7", []string{"tujuh"}, []string{"seven"}, "7"},
		{"L05", []string{"lima"}, []string{"five"}, "05"},
		{"Loket 3", []string{"tiga"}, []string{"three"}, "3"},
		{"LOKET-10", []string{"sepuluh"}, []string{"ten"}, "10"},
		{"counter 11", []string{"sebelas"}, []string{"eleven"}, "11"},
		{"115", []string{"seratus lima belas"}, []string{"one hundred fifteen"}, "115"},
		{"1000", []string{"seribu"}, []string{"one thousand"}, "1000"},
		{"0", []string{"nol"}, []string{"zero"}, "0"},
		{"CS", []string{"C", "S"}, []string{"C", "S"}, "CS"},
		{"cs", []string{"C", "S"}, []string{"C", "S"}, "CS"},
		{"B2", []string{"B", "dua"}, []string{"B", "two"}, "B2"},
		{"A10", []string{"A", "sepuluh"}, []string{"A", "ten"}, "A10"},
		{"L", []string{"L"}, []string{"L"}, "L"},
		{"LA", []string{"L", "A"}, []string{"L", "A"}, "LA"},
		{"Lokets", []string{"L", "O", "K", "E", "T", "S"}, []string{"L", "O", "K", "E", "T", "S"}, "LOKETS"},
		{"Info", []string{"I", "N", "F", "O"}, []string{"I", "N", "F", "O"}, "INFO"},
		{"2B", []string{"dua", "B"}, []string{"two", "B"}, "2B"},
		{"12345", []string{"satu", "dua", "tiga", "empat", "lima"}, []string{"one", "two", "three", "four", "five"}, "12345"},
	} {
		for _, lang := range []string{"id", "en"} {
			want := tc.id
			if lang == "en" {
				want = tc.en
			}
			items, shown, err := counterItems(lang, tc.code)
			if err != nil {
				t.Errorf("%s counter %q: %v", lang, tc.code, err)
				continue
			}
			var got []string
			for _, it := range items {
				got = append(got, it.word)
			}
			if !slices.Equal(got, want) || shown != tc.shown {
				t.Errorf("%s counter %q = %q shown %q, want %q shown %q", lang, tc.code, got, shown, want, tc.shown)
			}
		}
	}
}

func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		lang, ticket, counter string
		want                  error
		mention               string
	}{
		{"fr", "A-007", "2", ErrLanguage, `"fr"`},
		{"", "A-007", "2", ErrLanguage, `""`},
		{"ID", "A-007", "2", ErrLanguage, `"ID"`},
		{"id", "", "2", ErrInput, "ticket"},
		{"id", " - ", "2", ErrInput, "ticket"},
		{"id", "A-0#7", "2", ErrInput, `'#'`},
		{"id", "A-007", "", ErrInput, "counter"},
		{"id", "A-007", "Loket", ErrInput, "after the word"},
		{"en", "A-007", " counter ", ErrInput, "after the word"},
		{"id", "A-007", "Lokét 2", ErrInput, "counter"},
		{"id", "A-007", "2\n3", ErrInput, `'\n'`},
		{"id", "A-007", strings.Repeat("1", 17), ErrInput, "longer than 16"},
		{"id", strings.Repeat("A", 17), "2", ErrInput, "longer than 16"},
	} {
		_, err := Words(tc.lang, tc.ticket, tc.counter)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("Words(%q, %q, %q) = %v, want %v mentioning %s", tc.lang, tc.ticket, tc.counter, err, tc.want, tc.mention)
		}
		if _, err2 := Text(tc.lang, tc.ticket, tc.counter); !errors.Is(err2, tc.want) {
			t.Errorf("Text(%q, %q, %q) = %v, want %v", tc.lang, tc.ticket, tc.counter, err2, tc.want)
		}
		if _, err2 := Clips(tc.lang, tc.ticket, tc.counter, true); !errors.Is(err2, tc.want) {
			t.Errorf("Clips(%q, %q, %q) = %v, want %v", tc.lang, tc.ticket, tc.counter, err2, tc.want)
		}
	}
}

func TestClipsOrder(t *testing.T) {
	got, err := Clips("id", "A-007", "L12", true)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"chime.wav", "id/nomor-antrean.wav", "id/a.wav", "id/nol.wav", "id/nol.wav", "id/tujuh.wav",
		"id/silakan-menuju.wav", "id/loket.wav", "id/dua.wav", "id/belas.wav"}
	if !slices.Equal(got, want) {
		t.Errorf("Clips = %q\nwant %q", got, want)
	}
	got, _ = Clips("en", "A-007", "21", false)
	want = []string{"en/ticket-number.wav", "en/a.wav", "en/zero.wav", "en/zero.wav", "en/seven.wav",
		"en/please-go-to.wav", "en/counter.wav", "en/twenty.wav", "en/one.wav"}
	if !slices.Equal(got, want) {
		t.Errorf("Clips = %q\nwant %q", got, want)
	}
}
