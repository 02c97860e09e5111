package tui

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// TestOptionsRenderer: the styles, the help line's and the form's cursor
// among them, render on Options.Renderer (a UI served over SSH passes its
// session's), not on the process's default renderer (Ascii in these tests:
// no escape codes at all).
func TestOptionsRenderer(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	for _, tc := range []struct {
		name string
		r    *lipgloss.Renderer
		want bool // colour escapes in the view
	}{
		{"default", nil, false},
		{"true colour", renderer(termenv.TrueColor), true},
		{"ascii", renderer(termenv.Ascii), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := New(bg, Options{Backend: st, Lang: "en", Counter: "L1", Now: func() time.Time { return fixedNow },
				Location: wib, Renderer: tc.r})
			t.Cleanup(m.Close)
			loaded(t, m, 100, 30)
			view := m.View()
			if got := strings.Contains(view, "\x1b[38;2;"); got != tc.want {
				t.Errorf("queue screen: true-colour foreground %v, want %v", got, tc.want)
			}
			if got := strings.Contains(m.help.Styles.ShortDesc.Render("x"), "\x1b["); got != tc.want {
				t.Errorf("help line: escapes %v, want %v", got, tc.want)
			}
			step(t, m, press("n"))
			if got := strings.Contains(m.View(), "\x1b[7m"); got != tc.want {
				t.Errorf("form: reverse (the cursor) %v, want %v", got, tc.want)
			}
		})
	}
}

func renderer(p termenv.Profile) *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(p)
	return r
}
