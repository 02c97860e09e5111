package main

// Read-only tokens: token add.

import (
	"flag"
	"fmt"
	"time"

	"github.com/loket-id/loket/internal/cli"
)

func tokenCommands() []*command {
	return []*command{
		{Name: "token add", Summary: "add a supervisor's read-only token", Owned: true, Accepts: cli.ExactArgs(0), Flags: tokenAddFlags},
	}
}

func tokenAddFlags(fs *flag.FlagSet) runner {
	role := fs.String("role", "", "token role: supervisor")
	office := fs.String("office", "", "office code")
	format := formatFlag(fs)
	return func(e *env, _ []string) error {
		if err := checkFormat(e, *format, "text", "json"); err != nil {
			return err
		}
		if *role != "supervisor" {
			return cli.Usagef("token add needs --role supervisor")
		}
		st, err := e.storage()
		if err != nil {
			return err
		}
		token, err := st.AddSupervisor(*office, time.Now())
		if err != nil {
			return err
		}
		scope := *office
		if scope == "" {
			scope = "every office"
		}
		if *format == "json" {
			return writeJSON(e.out(), map[string]string{"role": "supervisor", "office": *office, "token": token})
		}
		fmt.Fprintf(e.out(), "supervisor token for %s (read-only statistics; shown only this once):\n%s\n", scope, token)
		return nil
	}
}
