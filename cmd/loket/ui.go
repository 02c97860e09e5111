package main

import "context"

// runUI opens the terminal UI.
func (a *App) runUI(ctx context.Context) error {
	return &exitError{code: exitFailure, err: errNoUI}
}
