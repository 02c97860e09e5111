package tui

import (
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Theme holds every style the screens use, built once. With NO_COLOR (or a
// terminal without colour) lipgloss drops the colours and keeps bold/reverse.
type Theme struct {
	Bar                     lipgloss.Style
	Here, HereNone          lipgloss.Style
	Filter, Muted, Error    lipgloss.Style
	Message, Label          lipgloss.Style
	Big, BigLabel, BigValue lipgloss.Style
	Selected, Header, Focus lipgloss.Style
	Status                  map[string]lipgloss.Style
}

// NewTheme builds the styles.
func NewTheme() Theme {
	accent := lipgloss.AdaptiveColor{Light: "#005F87", Dark: "#5FAFFF"}
	warn := lipgloss.AdaptiveColor{Light: "#AF5F00", Dark: "#FFAF5F"}
	errc := lipgloss.AdaptiveColor{Light: "#AF0000", Dark: "#FF5F5F"}
	ok := lipgloss.AdaptiveColor{Light: "#005F00", Dark: "#87D787"}
	muted := lipgloss.AdaptiveColor{Light: "#767676", Dark: "#8A8A8A"}
	return Theme{
		Bar:      lipgloss.NewStyle().Reverse(true),
		Here:     lipgloss.NewStyle().Bold(true).Foreground(warn),
		HereNone: lipgloss.NewStyle().Foreground(muted),
		Filter:   lipgloss.NewStyle().Foreground(muted),
		Muted:    lipgloss.NewStyle().Foreground(muted),
		Error:    lipgloss.NewStyle().Foreground(errc).Bold(true),
		Message:  lipgloss.NewStyle().Foreground(ok),
		Label:    lipgloss.NewStyle().Bold(true),
		Big:      lipgloss.NewStyle().Bold(true).Foreground(accent).Border(lipgloss.NormalBorder()).Padding(0, 2),
		BigLabel: lipgloss.NewStyle().Foreground(muted),
		BigValue: lipgloss.NewStyle().Bold(true).Foreground(accent),
		Selected: lipgloss.NewStyle().Reverse(true).Bold(true),
		Header:   lipgloss.NewStyle().Bold(true).Underline(true),
		Focus:    lipgloss.NewStyle().Foreground(accent).Bold(true),
		Status: map[string]lipgloss.Style{
			"waiting":   lipgloss.NewStyle(),
			"called":    lipgloss.NewStyle().Foreground(warn).Bold(true),
			"serving":   lipgloss.NewStyle().Foreground(accent).Bold(true),
			"done":      lipgloss.NewStyle().Foreground(ok),
			"no_show":   lipgloss.NewStyle().Foreground(muted),
			"cancelled": lipgloss.NewStyle().Foreground(muted),
		},
	}
}

// noColour reports whether styles are dropped (NO_COLOR, or a terminal
// without colour): then reverse video and colour show nothing, and what
// must show (the focus, the cursor) is drawn with characters.
func noColour() bool { return lipgloss.ColorProfile() == termenv.Ascii }

// plainInput draws a text field with its cursor as a character, for a
// terminal without styles: the text, scrolled to keep the cursor within
// w cells, with ▏ where the cursor is.
func plainInput(in textinput.Model, w int) string {
	text := []rune(in.Value())
	pos := min(in.Position(), len(text))
	start := max(0, pos-(w-1))
	end := min(len(text), start+w-1)
	return clean(string(text[start:pos])) + "▏" + clean(string(text[pos:end]))
}
