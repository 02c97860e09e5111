package queue

import (
	"crypto/sha256"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// trackingAlphabet has no 0/O and no 1/I, so a code read aloud is unambiguous.
const trackingAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// StationTag is the four tracking-code characters taken from a station ID.
func StationTag(stationID string) string {
	sum := sha256.Sum256([]byte(stationID))
	v := uint32(sum[0])<<16 | uint32(sum[1])<<8 | uint32(sum[2]) // 24 bits; we use 20
	var b [4]byte
	for i := 3; i >= 0; i-- {
		b[i] = trackingAlphabet[v&31]
		v >>= 5
	}
	return string(b[:])
}

// NewTrackingCode returns tag + 8 random characters, written XXXX-XXXX-XXXX.
func NewTrackingCode(tag string, r []byte) string {
	var b strings.Builder
	b.WriteString(tag)
	for i, c := range r {
		if i == 0 || i == 4 {
			b.WriteByte('-')
		}
		b.WriteByte(trackingAlphabet[c&31])
	}
	return b.String()
}

// NormalizeTrackingCode turns user input ("abcd efgh jklm", "ABCDEFGHJKLM")
// into the stored form, or returns false if it cannot be a tracking code.
func NormalizeTrackingCode(s string) (string, bool) {
	s = strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(s)))
	if len(s) != 12 {
		return "", false
	}
	for _, r := range s {
		if !strings.ContainsRune(trackingAlphabet, r) {
			return "", false
		}
	}
	return s[0:4] + "-" + s[4:8] + "-" + s[8:12], true
}

var ticketRe = regexp.MustCompile(`^([A-Za-z]{1,2})[- ]?([0-9]{1,4})$`)

// FormatTicket is the ticket of the n-th request of a service on a day.
func FormatTicket(code string, n uint64) string { return fmt.Sprintf("%s-%03d", code, n) }

// NormalizeTicket turns "a7", "A-007" or "a 07" into "A-007", or returns false.
func NormalizeTicket(s string) (string, bool) {
	m := ticketRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return "", false
	}
	n, err := strconv.ParseUint(m[2], 10, 64)
	if err != nil || n == 0 {
		return "", false
	}
	return FormatTicket(strings.ToUpper(m[1]), n), true
}

var ulidRe = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{26}$`)

// LooksLikeID reports whether s has the form of a request ID (a ULID).
func LooksLikeID(s string) bool { return ulidRe.MatchString(strings.ToUpper(s)) }

// NormalizeTrackingFragment turns part of a tracking code as a clerk types
// it ("nzdt", "QSHX-NZDT", "nzdt q7") into its stored form, dashes after
// every four characters ("QSHX-NZDT"), or returns false: it must be 4 to 11
// characters of the tracking alphabet (a whole code is NormalizeTrackingCode's).
func NormalizeTrackingFragment(s string) (string, bool) {
	s = strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(s)))
	if len(s) < 4 || len(s) > 11 {
		return "", false
	}
	for _, r := range s {
		if !strings.ContainsRune(trackingAlphabet, r) {
			return "", false
		}
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if i == 4 || i == 8 {
			b.WriteByte('-')
		}
		b.WriteByte(s[i])
	}
	return b.String(), true
}

// NormalizeDatedTicket turns a ticket of a given day, "2026-12-03/A-002"
// (also "2026-12-03/a2"), into its day and ticket, or returns false. A
// ticket alone names today's; the date names the day it was given out.
func NormalizeDatedTicket(s string) (day, ticket string, ok bool) {
	d, t, found := strings.Cut(strings.TrimSpace(s), "/")
	if !found {
		return "", "", false
	}
	d = strings.TrimSpace(d)
	if _, err := time.Parse(time.DateOnly, d); err != nil {
		return "", "", false
	}
	if ticket, ok = NormalizeTicket(t); !ok {
		return "", "", false
	}
	return d, ticket, true
}
