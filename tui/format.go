package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/loket-id/loket/queue"
)

// who is the applicant of r as a screen shows it: the name, or that the
// personal data was erased (loket purge, loket forget); "" for a kiosk's
// walk-in not identified yet.
func who(t Text, r queue.Request) string {
	if r.Erased {
		return t.S("detail.erased")
	}
	return clean(r.Name)
}

// nikLast is the last four digits of r's NIK as the search shows them
// (blank when it has none: a walk-in, an erased request).
func nikLast(r queue.Request) string {
	m := queue.MaskNIK(r.NIK)
	if len(m) < 4 {
		return "    "
	}
	return m[len(m)-4:]
}

// clean makes text from the database safe to print: control characters
// (and so escape sequences) are shown as '?', never interpreted.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return '?'
		}
		return r
	}, s)
}

// truncate cuts s (which may hold styles) to width w cells.
func truncate(s string, w int) string { return ansi.Truncate(s, w, "…") }

// pad truncates or pads plain s to exactly w cells.
func pad(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = ansi.Truncate(s, w, "…")
	if n := ansi.StringWidth(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// spread puts left and right at the two ends of a line of width w.
func spread(left, right string, w int) string {
	gap := w - ansi.StringWidth(left) - ansi.StringWidth(right)
	if gap < 1 {
		return pad(left, w)
	}
	return left + strings.Repeat(" ", gap) + right
}

// fitLines makes s exactly h lines of at most w cells.
func fitLines(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = truncate(l, w)
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

func indent(s string, n int) string {
	p := strings.Repeat(" ", n)
	return p + strings.ReplaceAll(s, "\n", "\n"+p)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
