package tui

import "github.com/loket-id/loket/i18n"

// Text is the UI's language: every string a screen shows comes from package
// i18n's catalog.
type Text = i18n.Text

// NewText returns the catalog of lang ("id" or "en"; anything else is English).
func NewText(lang string) Text { return i18n.For(lang) }
