package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// helpPage lists every key of the queue screen, in as many columns as the
// width holds, every key shown (bubbles' help drops the columns that do
// not fit, and Indonesian texts are long).
type helpPage struct{ c common }

func newHelpPage(c common) *helpPage { return &helpPage{c: c} }

func (p *helpPage) setSize(w, h int) { p.c.setSize(w, h) }

func (p *helpPage) update(msg tea.Msg) (tea.Cmd, []tea.Msg) {
	if msg, ok := msg.(tea.KeyMsg); ok && key.Matches(msg, p.c.keys.Back) {
		return nil, goTo(screenQueue)
	}
	return nil, nil
}

func (p *helpPage) view() string {
	return helpColumns(p.c, queueHelp(p.c.keys), p.c.width, p.c.height)
}

// helpColumns lays the keys out in columns down then across: as few
// columns as the height allows, each as wide as its longest entry.
func helpColumns(c common, groups [][]key.Binding, w, h int) string {
	var items [][2]string
	keyW := 0
	for _, g := range groups {
		for _, b := range g {
			hp := b.Help()
			items = append(items, [2]string{hp.Key, hp.Desc})
			keyW = max(keyW, ansi.StringWidth(hp.Key))
		}
	}
	rows := max(1, h-1)
	cols := (len(items) + rows - 1) / rows
	// Fewer rows than the height when the items fit in the columns anyway.
	rows = (len(items) + cols - 1) / cols
	colW := make([]int, cols)
	for i, it := range items {
		colW[i/rows] = max(colW[i/rows], keyW+1+ansi.StringWidth(it[1]))
	}
	var b strings.Builder
	b.WriteByte('\n')
	for r := 0; r < rows; r++ {
		line := " "
		for col := 0; col < cols; col++ {
			i := col*rows + r
			if i >= len(items) {
				break
			}
			cell := c.th.Label.Render(pad(items[i][0], keyW)) + " " + c.th.Muted.Render(pad(items[i][1], colW[col]-keyW-1))
			line += " " + cell + "  "
		}
		b.WriteString(truncate(strings.TrimRight(line, " "), w) + "\n")
	}
	return b.String()
}

func (p *helpPage) ShortHelp() []key.Binding { return []key.Binding{p.c.keys.Back, p.c.keys.Quit} }

func (p *helpPage) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }
