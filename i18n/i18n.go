// Package i18n is the programs' one catalog of texts in Indonesian and
// English: every string the terminal UI, the receipt and the statistics
// report show, looked up by key with fmt-style arguments, and the names and
// forms of months, days of the week, dates, durations and rupiah amounts.
// It is pure: no I/O, nothing beyond the standard library.
//
// Keys are dotted and name where a text is shown or what it names: screen.*,
// col.*, key.*, msg.*, form.*, detail.*, stats.*, sync.* … for the terminal
// UI; status.<queue.Status>, prio.<queue.Priority> and
// err.<queue.FieldError.Code> for the queue's own names, which any program
// may show; receipt.* for the receipt; report.* for the report. Messages of
// the command line belong under cmd.<command>.* (e.g. cmd.add.registered).
//
// Wording is plural-free: a count stands after a label ("Menunggu: 3",
// "Requests: 4") or beside a word that does not change with it ("%d
// tertunda", "%d pending"), never before a noun that would need a plural,
// so one text serves every number in both languages.
//
// To add a text, give its key a text in id.go and en.go and look it up
// with the literal key where it is shown: i18n.For(lang).S("cmd.add.done",
// ticket); for an error, .E, which wraps a %w argument.
//
// The package's tests fail when a key is missing in a language, when the two
// languages' texts of a key take different format verbs, when a Go source
// of the module looks up a literal key (t.S("…"), t.E("…")) that does not
// exist, and when a key is used nowhere.
package i18n

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// language is everything the catalog holds for one language.
type language struct {
	code                    string
	texts                   map[string]string
	months, shortMonths     [12]string
	weekdays, shortWeekdays [7]string
	hour, minute, second    string // units of Duration
}

var languages = map[string]*language{"id": &indonesian, "en": &english}

// Langs are the codes of the languages there are texts in, the offices'
// own first.
var Langs = []string{"id", "en"}

// Supported tells whether code is one of Langs.
func Supported(code string) bool { return languages[code] != nil }

// Text is the catalog in one language. The zero Text is English.
type Text struct{ l *language }

// For returns the catalog of the language code ("id" or "en"); any other
// code is English.
func For(code string) Text {
	if l := languages[code]; l != nil {
		return Text{l}
	}
	return Text{&english}
}

func (t Text) lang() *language {
	if t.l == nil {
		return &english
	}
	return t.l
}

// Lang is the language's code: "id" or "en".
func (t Text) Lang() string { return t.lang().code }

// S is the text of key, formatted with args as fmt.Sprintf does when there
// are any. A key the catalog lacks is returned as it is (the tests keep that
// from happening).
func (t Text) S(key string, args ...any) string {
	s, ok := t.lang().texts[key]
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Has tells whether the catalog has a text for key: for a key built from
// a value the program does not know in advance (a FieldError's code).
func (t Text) Has(key string) bool { _, ok := t.lang().texts[key]; return ok }

// E is the text of key as an error, formatted as fmt.Errorf does: a %w in
// the text wraps its argument, for errors.Is.
func (t Text) E(key string, args ...any) error {
	s, ok := t.lang().texts[key]
	if !ok {
		s = key
	}
	if len(args) == 0 {
		return errors.New(s)
	}
	return fmt.Errorf(s, args...)
}

// Month is the name of m: "Desember", "December".
func (t Text) Month(m time.Month) string { return t.lang().months[((m-1)%12+12)%12] }

// ShortMonth is the three-letter name of m: "Des", "Dec".
func (t Text) ShortMonth(m time.Month) string { return t.lang().shortMonths[((m-1)%12+12)%12] }

// Weekday is the name of d: "Jumat", "Friday".
func (t Text) Weekday(d time.Weekday) string { return t.lang().weekdays[(d%7+7)%7] }

// ShortWeekday is the three-letter name of d: "Jum", "Fri".
func (t Text) ShortWeekday(d time.Weekday) string { return t.lang().shortWeekdays[(d%7+7)%7] }

// Date is the day of d as people write it: "4 Desember 2026", "4 December 2026".
func (t Text) Date(d time.Time) string {
	return strconv.Itoa(d.Day()) + " " + t.Month(d.Month()) + " " + strconv.Itoa(d.Year())
}

// LongDate is Date with the day of the week: "Jumat, 4 Desember 2026".
func (t Text) LongDate(d time.Time) string { return t.Weekday(d.Weekday()) + ", " + t.Date(d) }

// ShortDate is the day of d in short names, for a title bar: "Jum 04 Des 2026".
func (t Text) ShortDate(d time.Time) string {
	return fmt.Sprintf("%s %02d %s %d", t.ShortWeekday(d.Weekday()), d.Day(), t.ShortMonth(d.Month()), d.Year())
}

// MonthYear is the month of d: "Desember 2026".
func (t Text) MonthYear(d time.Time) string { return t.Month(d.Month()) + " " + strconv.Itoa(d.Year()) }

// Duration is d for people, to the second under a minute and to the
// minute from a minute on: "45 dtk", "12 mnt", "1 j 4 mnt", "2 j" in
// Indonesian, "45 s", "12 min", "1 h 4 min", "2 h" in English.
func (t Text) Duration(d time.Duration) string {
	if d < 0 {
		return "-" + t.Duration(-max(d, -math.MaxInt64))
	}
	l := t.lang()
	if d = d.Round(time.Second); d < time.Minute {
		return strconv.Itoa(int(d/time.Second)) + " " + l.second
	}
	d = d.Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h == 0:
		return strconv.Itoa(m) + " " + l.minute
	case m == 0:
		return strconv.Itoa(h) + " " + l.hour
	}
	return strconv.Itoa(h) + " " + l.hour + " " + strconv.Itoa(m) + " " + l.minute
}

// CompactDuration is a number of seconds in the statistics' compact form,
// the same in both languages: "45s", "12m03s", "1h05m".
func CompactDuration(seconds float64) string {
	d := time.Duration(math.Round(seconds)) * time.Second
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// Rupiah is an amount as Indonesians write it, in both languages:
// "Rp 150.000".
func Rupiah(n int64) string {
	digits := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, digits = "-", digits[1:]
	}
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return sign + "Rp " + b.String()
}
