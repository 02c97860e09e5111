package queue

import (
	"crypto/sha256"
	"fmt"
	"regexp"
	"strconv"
	"strings"
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
