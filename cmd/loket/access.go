package main

// The access log: access.log in the data directory, one JSON line for
// every command that wrote full NIKs or phone numbers (`export
// --unmasked`, `person`) or erased one (`forget`: how many requests and the
// clerk's reason, not even the NIK's last digits), so that the office can say who saw what (UU PDP
// 27/2022). A line names the command, who ran it (the config's clerk and
// counter), how many rows it wrote and what it covered: the date range, or
// the last four digits of the NIK asked about. Never a NIK, phone or name.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// accessLogName is the access log's file in the data directory.
const accessLogName = "access.log"

// accessEntry is one line of the access log.
type accessEntry struct {
	Time    string `json:"time"`
	Command string `json:"command"`
	Clerk   string `json:"clerk"`
	Counter string `json:"counter"`
	Rows    int    `json:"rows"`
	From    string `json:"from,omitempty"`
	To      string `json:"to,omitempty"`
	NIK     string `json:"nik,omitempty"` // masked: its last four digits only
	// Reason is the clerk's reason for an erasure (forget).
	Reason string `json:"reason,omitempty"`
}

// accessLog is the open access log of one command.
type accessLog struct {
	e *env
	f *os.File
}

// openAccess opens the access log for appending (made 0600) before any
// personal data is written: a command that cannot record its access
// shows nothing.
func (e *env) openAccess() (*accessLog, error) {
	if err := os.MkdirAll(e.dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("access log: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(e.dataDir, accessLogName), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("access log: %w", err)
	}
	e.closers = append(e.closers, f.Close)
	return &accessLog{e: e, f: f}, nil
}

// record appends a: the time (the office's zone) and who are filled in.
func (l *accessLog) record(a accessEntry) error {
	e := l.e
	now := time.Now()
	if e.app.Clock != nil {
		now = e.app.Clock()
	}
	if loc, err := e.cfg.Location(); err == nil && loc != nil {
		now = now.In(loc)
	}
	a.Time = now.Format("2006-01-02T15:04:05.000-07:00")
	a.Clerk, a.Counter = e.cfg.Clerk.Name, e.cfg.Station.Code
	line, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("access log: %w", err)
	}
	if _, err := l.f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("access log: %w", err)
	}
	return nil
}
