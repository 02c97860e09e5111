package tui

import (
	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"
)

// page is one screen, in the shape of soft-serve's common.Component: it
// updates on a message, renders its body, names its keys for the help line
// and learns its size. A page never writes into the root: what it wants of
// it (go to another screen, show a message) it returns as intents, which the
// root applies at once, before the next message.
type page interface {
	update(msg tea.Msg) (tea.Cmd, []tea.Msg)
	view() string
	help.KeyMap
	setSize(width, height int)
}

// typer is a page that, for now, takes every key itself (a text field, or a
// picker open): the root's screen keys do not apply.
type typer interface{ typing() bool }

type screen int

const (
	screenQueue screen = iota
	screenForm
	screenDetail
	screenSearch
	screenHelp
	screenStats
	screenSync
	screenClose
	screenCount
)

// Intents: what a page asks of the root.
type (
	gotoMsg  struct{ to screen } // show another screen
	flashMsg struct {            // the message line
		text  string
		isErr bool
	}
	// confirmMsg asks the clerk first: the question shows on the message
	// line, y (ya/yes) runs yes, any other key drops it.
	confirmMsg struct {
		question string
		yes      tea.Cmd
	}
)

// What the root tells a page.
type (
	shownMsg   struct{} // the page has just been shown (again)
	hiddenMsg  struct{} // another page is shown instead
	changedMsg struct{} // the database changed
)

func goTo(s screen) []tea.Msg { return []tea.Msg{gotoMsg{s}} }

// ask asks question before running yes.
func ask(question string, yes tea.Cmd) []tea.Msg { return []tea.Msg{confirmMsg{question, yes}} }

// say shows a message; warn shows an error.
func say(text string) []tea.Msg  { return []tea.Msg{flashMsg{text, false}} }
func warn(text string) []tea.Msg { return []tea.Msg{flashMsg{text, true}} }
