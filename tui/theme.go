package tui

import (
	"github.com/charmbracelet/bubbles/help"
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
	r                       *lipgloss.Renderer
}

// NewTheme builds the styles on lipgloss's default renderer, which follows
// the program's own terminal.
func NewTheme() Theme { return NewThemeFor(nil) }

// NewThemeFor builds the styles on r (nil: the default renderer). A UI
// served over SSH passes its session's renderer, so that colours follow the
// client's terminal, not the server's.
func NewThemeFor(r *lipgloss.Renderer) Theme {
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	style := r.NewStyle
	accent := lipgloss.AdaptiveColor{Light: "#005F87", Dark: "#5FAFFF"}
	warn := lipgloss.AdaptiveColor{Light: "#AF5F00", Dark: "#FFAF5F"}
	errc := lipgloss.AdaptiveColor{Light: "#AF0000", Dark: "#FF5F5F"}
	ok := lipgloss.AdaptiveColor{Light: "#005F00", Dark: "#87D787"}
	muted := lipgloss.AdaptiveColor{Light: "#767676", Dark: "#8A8A8A"}
	return Theme{
		Bar:      style().Reverse(true),
		Here:     style().Bold(true).Foreground(warn),
		HereNone: style().Foreground(muted),
		Filter:   style().Foreground(muted),
		Muted:    style().Foreground(muted),
		Error:    style().Foreground(errc).Bold(true),
		Message:  style().Foreground(ok),
		Label:    style().Bold(true),
		Big:      style().Bold(true).Foreground(accent).Border(lipgloss.NormalBorder()).Padding(0, 2),
		BigLabel: style().Foreground(muted),
		BigValue: style().Bold(true).Foreground(accent),
		Selected: style().Reverse(true).Bold(true),
		Header:   style().Bold(true).Underline(true),
		Focus:    style().Foreground(accent).Bold(true),
		Status: map[string]lipgloss.Style{
			"waiting":   style(),
			"called":    style().Foreground(warn).Bold(true),
			"serving":   style().Foreground(accent).Bold(true),
			"done":      style().Foreground(ok),
			"no_show":   style().Foreground(muted),
			"cancelled": style().Foreground(muted),
		},
		r: r,
	}
}

// newHelp is a help model whose styles render on the theme's renderer.
func (th Theme) newHelp() help.Model {
	h := help.New()
	st := &h.Styles
	for _, s := range []*lipgloss.Style{&st.Ellipsis, &st.ShortKey, &st.ShortDesc, &st.ShortSeparator,
		&st.FullKey, &st.FullDesc, &st.FullSeparator} {
		*s = s.Renderer(th.r)
	}
	return h
}

// newInput is a text input whose styles (the cursor's among them) render
// on the theme's renderer.
func (th Theme) newInput() textinput.Model {
	in := textinput.New()
	for _, s := range []*lipgloss.Style{&in.PromptStyle, &in.TextStyle, &in.PlaceholderStyle,
		&in.CompletionStyle, &in.Cursor.Style, &in.Cursor.TextStyle} {
		*s = s.Renderer(th.r)
	}
	return in

}

// noColour reports whether styles are dropped (NO_COLOR, or a terminal
// without colour): then reverse video and colour show nothing, and what
// must show (the focus, the cursor) is drawn with characters.
// It asks the theme's renderer: over SSH that is the session's terminal.
func (th Theme) noColour() bool { return th.r.ColorProfile() == termenv.Ascii }

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
