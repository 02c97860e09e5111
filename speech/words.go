package speech

import (
	"fmt"
	"strings"

	"github.com/loket-id/loket/speech/internal/clipset"
)

// maxCode is the longest ticket or counter code an announcement reads out.
const maxCode = 16

// item is one spoken item of an announcement (a phrase, a letter, a digit,
// a number) and the clips it is made of, in order.
type item struct {
	word  string   // as Words shows it: "nomor antrean", "A", "dua belas"
	clips []string // clip names: "nomor-antrean"; "a"; "dua", "belas"
}

// sentence is a whole announcement: its items and its display text.
type sentence struct {
	lang  string
	items []item
	text  string
}

func checkLang(lang string) error {
	for _, l := range clipset.Langs {
		if l == lang {
			return nil
		}
	}
	return fmt.Errorf("%w: %q (want %s)", ErrLanguage, lang, strings.Join(clipset.Langs, " or "))
}

// parse turns a call into what is said. The ticket is read character by
// character: letters spelled, digits one by one, "-" and spaces skipped
// ("A-007": A, nol, nol, tujuh). The counter is read as counterItems says.
func parse(lang, ticket, counter string) (sentence, error) {
	if err := checkLang(lang); err != nil {
		return sentence{}, err
	}
	tk, tkShown, err := ticketItems(lang, ticket)
	if err != nil {
		return sentence{}, err
	}
	ct, ctShown, err := counterItems(lang, counter)
	if err != nil {
		return sentence{}, err
	}
	phrase := func(p string) item {
		return item{clipset.PhraseText(lang, p), []string{clipset.Phrase(lang, p)}}
	}
	s := sentence{lang: lang}
	s.items = append(s.items, phrase(clipset.PhraseTicket))
	s.items = append(s.items, tk...)
	s.items = append(s.items, phrase(clipset.PhraseGoTo), phrase(clipset.PhraseCounter))
	s.items = append(s.items, ct...)
	first := clipset.PhraseText(lang, clipset.PhraseTicket)
	s.text = fmt.Sprintf("%s%s %s, %s %s %s.", strings.ToUpper(first[:1]), first[1:], tkShown,
		clipset.PhraseText(lang, clipset.PhraseGoTo), clipset.PhraseText(lang, clipset.PhraseCounter), ctShown)
	return s, nil
}

func isSep(c byte) bool { return c == ' ' || c == '-' || c == '.' || c == '_' || c == '/' }

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' }

func letterItem(c byte) item { return item{string(c), []string{string(c + 'a' - 'A')}} }

// checkCode refuses what no rule reads: empty, too long, or a character
// other than A-Z, 0-9 and the separators " -._/".
func checkCode(what, code string) (string, error) {
	s := strings.ToUpper(strings.TrimSpace(code))
	if len(s) > maxCode {
		return "", fmt.Errorf("%w: %s %q is longer than %d characters", ErrInput, what, code, maxCode)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isLetter(c) && !isDigit(c) && !isSep(c) {
			return "", fmt.Errorf("%w: %s %q has %q, which cannot be read out (only letters A-Z, digits and \" -._/\")",
				ErrInput, what, code, rune(c))
		}
	}
	if strings.Trim(s, " -._/") == "" {
		return "", fmt.Errorf("%w: %s %q has nothing to read out", ErrInput, what, code)
	}
	return s, nil
}

func ticketItems(lang, ticket string) ([]item, string, error) {
	s, err := checkCode("ticket", ticket)
	if err != nil {
		return nil, "", err
	}
	var out []item
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isLetter(c):
			out = append(out, letterItem(c))
		case isDigit(c):
			out = append(out, numberItem(lang, int(c-'0')))
		}
	}
	return out, s, nil
}

// counterItems reads a counter's code after the word "loket"/"counter":
//
//   - A leading "LOKET" or "COUNTER" (any case) is that word, so it is not
//     said twice: "Loket 3" → loket, tiga.
//   - A leading "L" right before the number (after optional separators) is
//     the word too: "L12" and "L-12" → loket, dua belas.
//   - Then each run of up to 4 digits is read as a number ("12" → dua belas,
//     "007" → tujuh); a longer run digit by digit; each letter is spelled:
//     "B2" → loket, B, dua; "CS" → loket, C, S; "L" → loket, L.
//
// What is shown in Text is what remains, upper case: "loket 12".
func counterItems(lang, counter string) ([]item, string, error) {
	s, err := checkCode("counter", counter)
	if err != nil {
		return nil, "", err
	}
	for _, w := range []string{"LOKET", "COUNTER"} {
		if strings.HasPrefix(s, w) && (len(s) == len(w) || !isLetter(s[len(w)])) {
			s = s[len(w):]
			break
		}
	}
	s = strings.Trim(s, " -._/")
	if r := strings.TrimLeft(s[min(1, len(s)):], " -._/"); strings.HasPrefix(s, "L") && r != "" && isDigit(r[0]) {
		s = r
	}
	if s == "" {
		return nil, "", fmt.Errorf("%w: counter %q has nothing to read out after the word itself", ErrInput, counter)
	}
	var out []item
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case isLetter(c):
			out = append(out, letterItem(c))
			i++
		case isDigit(c):
			j := i
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			if j-i > 4 {
				for k := i; k < j; k++ {
					out = append(out, numberItem(lang, int(s[k]-'0')))
				}
			} else {
				n := 0
				for k := i; k < j; k++ {
					n = 10*n + int(s[k]-'0')
				}
				out = append(out, numberItem(lang, n))
			}
			i = j
		default:
			i++
		}
	}
	return out, s, nil
}

func numberItem(lang string, n int) item {
	var clips []string
	if lang == "en" {
		clips = enNumber(n)
	} else {
		clips = idNumber(n)
	}
	return item{numberText(lang, clips), clips}
}

// numberText writes a number's words: "dua belas", "twenty-one".
func numberText(lang string, clips []string) string {
	var b strings.Builder
	for i, w := range clips {
		if i > 0 {
			if lang == "en" && strings.HasSuffix(clips[i-1], "ty") {
				b.WriteByte('-')
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(w)
	}
	return b.String()
}

var idDigits = [10]string{"nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"}

// idNumber is n (0 to 9999) in Indonesian words, as the clips that say it.
func idNumber(n int) []string {
	switch {
	case n < 10:
		return []string{idDigits[n]}
	case n == 10:
		return []string{"sepuluh"}
	case n == 11:
		return []string{"sebelas"}
	case n < 20:
		return []string{idDigits[n-10], "belas"}
	case n < 100:
		return idRest([]string{idDigits[n/10], "puluh"}, n%10)
	case n < 1000:
		if n/100 == 1 {
			return idRest([]string{"seratus"}, n%100)
		}
		return idRest([]string{idDigits[n/100], "ratus"}, n%100)
	default:
		if n/1000 == 1 {
			return idRest([]string{"seribu"}, n%1000)
		}
		return idRest(append(idNumber(n/1000), "ribu"), n%1000)
	}
}

func idRest(head []string, rest int) []string {
	if rest == 0 {
		return head
	}
	return append(head, idNumber(rest)...)
}

var enSmall = [20]string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
	"eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"}
var enTens = [10]string{"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}

// enNumber is n (0 to 9999) in English words, as the clips that say it
// (American style, no "and": 115 is one hundred fifteen).
func enNumber(n int) []string {
	switch {
	case n < 20:
		return []string{enSmall[n]}
	case n < 100:
		return enRest([]string{enTens[n/10]}, n%10)
	case n < 1000:
		return enRest([]string{enSmall[n/100], "hundred"}, n%100)
	default:
		return enRest(append(enNumber(n/1000), "thousand"), n%1000)
	}
}

func enRest(head []string, rest int) []string {
	if rest == 0 {
		return head
	}
	return append(head, enNumber(rest)...)
}
