package queue

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/loket-id/loket/internal/csvsafe"
)

// Errors of the queue's rules, to be matched with errors.Is.
var (
	// ErrInvalid is bad input from the caller: a field, a reference, an
	// illegal transition. Nothing was written.
	ErrInvalid = errors.New("invalid input")
	// ErrNotFound is a reference that matches no request.
	ErrNotFound = errors.New("not found")
	// ErrQueueEmpty is a call-next with nobody waiting.
	ErrQueueEmpty = errors.New("nobody is waiting")
	// ErrConflict is a write that contradicts what is stored.
	ErrConflict = errors.New("conflict")
)

// FieldError is invalid input in one named field. Code is a stable name of
// the rule that failed ("nik.digits", "required", ...), for screens that
// show the reason in their own language.
type FieldError struct {
	Field  string
	Code   string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// Is makes every FieldError match ErrInvalid.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

// Invalid is an error for bad input in one named field; it matches ErrInvalid.
func Invalid(field, reason string) error { return &FieldError{Field: field, Reason: reason} }

func invalidCode(field, code, reason string) error {
	return &FieldError{Field: field, Code: code, Reason: reason}
}

// provinceCodes are the two-digit province codes that start a NIK
// (Kemendagri codes, including the Papua provinces created in 2022).
var provinceCodes = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true, "16": true, "17": true, "18": true, "19": true,
	"21": true, "31": true, "32": true, "33": true, "34": true, "35": true, "36": true,
	"51": true, "52": true, "53": true, "61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "72": true, "73": true, "74": true, "75": true, "76": true, "81": true, "82": true,
	"91": true, "92": true, "93": true, "94": true, "95": true, "96": true,
}

// ValidateNIK checks a national ID number (Nomor Induk Kependudukan): 16
// digits, PPKKCC DDMMYY SSSS, with a known province, a birth date that
// exists (day 01-31, 41-71 for women, who add 40; month 01-12; the day
// within its month, 29 February always allowed, as the two-digit year
// does not tell the century) and a serial that is not 0000. Spaces are
// allowed and removed.
func ValidateNIK(s string) (string, error) {
	nik, err := storedNIK(s)
	if err != nil {
		return "", err
	}
	day, month := atoi2(nik[6:8]), atoi2(nik[8:10])
	if day > 40 {
		day -= 40
	}
	if day > daysIn[month-1] {
		return "", invalidCode("nik", "nik.date", fmt.Sprintf("birth date %02d-%02d does not exist (month %02d has %d days)",
			day, month, month, daysIn[month-1]))
	}
	return nik, nil
}

// daysIn is the most days of each month, 29 for February.
var daysIn = [12]int{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// storedNIK checks a NIK as a stored request may hold it: the rules of
// ValidateNIK without the one that the day exists in its month, which came
// later. Requests registered before it (31 February) stay valid records,
// so their events are still synced.
func storedNIK(s string) (string, error) {
	nik := strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	if nik == "" {
		return "", invalidCode("nik", "required", "required")
	}
	if len(nik) != 16 || strings.IndexFunc(nik, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return "", invalidCode("nik", "nik.digits", "must be 16 digits")
	}
	if !provinceCodes[nik[0:2]] {
		return "", invalidCode("nik", "nik.province", fmt.Sprintf("unknown province code %s", nik[0:2]))
	}
	day := atoi2(nik[6:8])
	if !(day >= 1 && day <= 31 || day >= 41 && day <= 71) {
		return "", invalidCode("nik", "nik.day", fmt.Sprintf("birth day %s is not 01-31 or 41-71", nik[6:8]))
	}
	if month := atoi2(nik[8:10]); month < 1 || month > 12 {
		return "", invalidCode("nik", "nik.month", fmt.Sprintf("birth month %s is not 01-12", nik[8:10]))
	}
	if nik[12:] == "0000" {
		return "", invalidCode("nik", "nik.serial", "serial number 0000 is not valid")
	}
	return nik, nil
}

func atoi2(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }

// NormalizePhone checks an optional Indonesian mobile number (08..., 628...
// or +628..., with spaces, dots or dashes) and returns it as +628...; the
// empty string stays empty.
func NormalizePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	digits := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '(', ')':
			return -1
		}
		return r
	}, s)
	rest, ok := "", false
	switch {
	case strings.HasPrefix(digits, "+628"):
		rest, ok = digits[3:], true
	case strings.HasPrefix(digits, "628"):
		rest, ok = digits[2:], true
	case strings.HasPrefix(digits, "08"):
		rest, ok = digits[1:], true
	}
	if !ok {
		return "", invalidCode("phone", "phone.prefix", "must be an Indonesian mobile number starting 08, 628 or +628")
	}
	if strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return "", invalidCode("phone", "phone.digits", "must contain only digits")
	}
	// rest is 8xx...: 9 to 12 digits after the country code.
	if len(rest) < 9 || len(rest) > 12 {
		return "", invalidCode("phone", "phone.length", "must have 10 to 13 digits in the 08... form")
	}
	return "+62" + rest, nil
}

// MaxNameLen is the longest applicant name, in characters.
const MaxNameLen = 100

// ValidateName checks an applicant's name: required, trimmed, at most 100
// characters, valid UTF-8, with no control characters (which also rules out
// terminal escape sequences) and no bidirectional override characters, and
// not beginning with = + - @, a tab or a carriage return, which a
// spreadsheet opening an export would run as a formula (code "name.start").
// Names stored before this rule stay readable: exports neutralise them.
func ValidateName(s string) (string, error) {
	s, err := validateText("name", s, MaxNameLen, true)
	if err != nil {
		return "", err
	}
	if csvsafe.NeedsQuote(s) {
		return "", invalidCode("name", "name.start", fmt.Sprintf("must not begin with %q (a spreadsheet would run it as a formula)", s[:1]))
	}
	return s, nil
}

// MaxNotesLen is the longest note, in characters.
const MaxNotesLen = 500

// ValidateNotes checks the optional notes of a request, with the rules of names.
func ValidateNotes(s string) (string, error) {
	return validateText("notes", s, MaxNotesLen, false)
}

// ValidateText checks an optional free text of another package (a survey
// answer's comment) with the rules of names and notes: valid UTF-8,
// trimmed, at most max characters, no control or bidirectional control
// characters. Its errors are [FieldError]s naming field, with the codes
// text.utf8, text.length, text.control and text.bidi.
func ValidateText(field, s string, max int) (string, error) {
	return validateText(field, s, max, false)
}

func validateText(field, s string, max int, required bool) (string, error) {
	if !utf8.ValidString(s) {
		return "", invalidCode(field, "text.utf8", "is not valid UTF-8")
	}
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			return "", invalidCode(field, "required", "required")
		}
		return "", nil
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", invalidCode(field, "text.length", fmt.Sprintf("is %d characters long; at most %d", n, max))
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "", invalidCode(field, "text.control", "contains a control character or terminal escape sequence")
		}
		if isBidiControl(r) {
			return "", invalidCode(field, "text.bidi", "contains a bidirectional control character")
		}
	}
	return s, nil
}

func isBidiControl(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069
}

// ValidateServiceCode checks a catalog code: one or two capital letters.
func ValidateServiceCode(code string) error {
	if len(code) < 1 || len(code) > 2 {
		return Invalid("service", fmt.Sprintf("code %q must be one or two capital letters", code))
	}
	for _, r := range code {
		if r < 'A' || r > 'Z' {
			return Invalid("service", fmt.Sprintf("code %q must be one or two capital letters", code))
		}
	}
	return nil
}

// MaskNIK shows only the last four digits of a NIK.
func MaskNIK(nik string) string { return maskTail(nik, 4) }

// MaskPhone shows only the last four digits of a phone number, keeping a
// leading +62 so the reader knows what it is.
func MaskPhone(p string) string {
	if strings.HasPrefix(p, "+62") {
		return "+62" + maskTail(p[3:], 4)
	}
	return maskTail(p, 4)
}

func maskTail(s string, keep int) string {
	if s == "" {
		return ""
	}
	r := []rune(s)
	if len(r) <= keep {
		return strings.Repeat("*", len(r))
	}
	return strings.Repeat("*", len(r)-keep) + string(r[len(r)-keep:])
}
