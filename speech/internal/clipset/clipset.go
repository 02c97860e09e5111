// Package clipset is the list of clips an announcement can need, per
// language, with what each clip says. The speech package checks a clip
// folder against it; the clip generator (speech/internal/clipgen) makes the
// default clips from it. It has no files of its own, so the generator can
// run before any clip exists.
package clipset

import "fmt"

// Chime is the clip played before an announcement, shared by every
// language, at the folder's top level.
const Chime = "chime"

// Clip is one clip file: Name.wav in the language's folder.
type Clip struct {
	Name string // file name without .wav: "nomor-antrean", "dua", "a"
	Say  string // what it says, as text for espeak-ng ([[...]] = espeak phonemes)
	Text string // what it says, as a person would read it (for recording by hand)
}

// Langs are the languages with a clip set, Indonesian first.
var Langs = []string{"id", "en"}

// The phrases, in both languages.
const (
	PhraseTicket  = "ticket"  // "nomor antrean" / "ticket number"
	PhraseGoTo    = "goto"    // "silakan menuju" / "please go to"
	PhraseCounter = "counter" // "loket" / "counter"
)

// Phrase returns a phrase's clip name in a language.
func Phrase(lang, phrase string) string { return phrases[lang][phrase].Name }

// PhraseText returns a phrase as written in a language.
func PhraseText(lang, phrase string) string { return phrases[lang][phrase].Text }

var phrases = map[string]map[string]Clip{
	"id": {
		PhraseTicket:  {"nomor-antrean", "nomor antrean", "nomor antrean"},
		PhraseGoTo:    {"silakan-menuju", "silakan menuju", "silakan menuju"},
		PhraseCounter: {"loket", "[[l'okEt]]", "loket"},
	},
	"en": {
		PhraseTicket:  {"ticket-number", "ticket number", "ticket number"},
		PhraseGoTo:    {"please-go-to", "please go to", "please go to"},
		PhraseCounter: {"counter", "counter", "counter"},
	},
}

// How each letter is named when spelled, A to Z.
var letterNames = map[string][26]string{
	"id": {"a", "be", "ce", "de", "e", "ef", "ge", "ha", "i", "je", "ka", "el", "em",
		"en", "o", "pe", "ki", "er", "es", "te", "u", "fe", "we", "eks", "ye", "zet"},
	"en": {"ay", "bee", "see", "dee", "ee", "eff", "jee", "aitch", "eye", "jay", "kay", "el", "em",
		"en", "oh", "pee", "cue", "ar", "ess", "tee", "you", "vee", "double you", "ex", "why", "zed"},
}

// The words numbers are made of. Where espeak-ng's Indonesian voice reads a
// word wrongly (it says "e" where Indonesian has the schwa of "belas"), Say
// gives the phonemes.
var numberWords = map[string][]Clip{
	"id": {
		{"nol", "nol", ""}, {"satu", "satu", ""}, {"dua", "dua", ""}, {"tiga", "tiga", ""},
		{"empat", "[[@mp'at]]", ""}, {"lima", "lima", ""}, {"enam", "[[@n'am]]", ""},
		{"tujuh", "tujuh", ""}, {"delapan", "delapan", ""}, {"sembilan", "sembilan", ""},
		{"sepuluh", "sepuluh", ""}, {"sebelas", "[[s@b@l'as]]", ""}, {"belas", "[[b@l'as]]", ""},
		{"puluh", "puluh", ""}, {"seratus", "seratus", ""}, {"ratus", "ratus", ""},
		{"seribu", "seribu", ""}, {"ribu", "ribu", ""},
	},
	"en": {
		{"zero", "zero", ""}, {"one", "one", ""}, {"two", "two", ""}, {"three", "three", ""},
		{"four", "four", ""}, {"five", "five", ""}, {"six", "six", ""}, {"seven", "seven", ""},
		{"eight", "eight", ""}, {"nine", "nine", ""}, {"ten", "ten", ""}, {"eleven", "eleven", ""},
		{"twelve", "twelve", ""}, {"thirteen", "thirteen", ""}, {"fourteen", "fourteen", ""},
		{"fifteen", "fifteen", ""}, {"sixteen", "sixteen", ""}, {"seventeen", "seventeen", ""},
		{"eighteen", "eighteen", ""}, {"nineteen", "nineteen", ""}, {"twenty", "twenty", ""},
		{"thirty", "thirty", ""}, {"forty", "forty", ""}, {"fifty", "fifty", ""},
		{"sixty", "sixty", ""}, {"seventy", "seventy", ""}, {"eighty", "eighty", ""},
		{"ninety", "ninety", ""}, {"hundred", "hundred", ""}, {"thousand", "thousand", ""},
	},
}

// Clips returns every clip a language needs, phrases first, then the
// letters a to z, then the number words. It panics on an unknown language.
func Clips(lang string) []Clip {
	ph, ok := phrases[lang]
	if !ok {
		panic(fmt.Sprintf("clipset: no language %q", lang))
	}
	var out []Clip
	for _, p := range []string{PhraseTicket, PhraseGoTo, PhraseCounter} {
		out = append(out, ph[p])
	}
	for i, n := range letterNames[lang] {
		l := string(rune('a' + i))
		out = append(out, Clip{Name: l, Say: n, Text: fmt.Sprintf("%c (%s)", 'A'+i, n)})
	}
	for _, w := range numberWords[lang] {
		w.Text = w.Name
		out = append(out, w)
	}
	return out
}
