package main

// Setting the counter up: init, and version.

import (
	"flag"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/loket-id/loket/config"
	"github.com/loket-id/loket/internal/atomicfile"
	"github.com/loket-id/loket/internal/cli"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
)

func setupCommands() []*command {
	return []*command{
		{Name: "init", Args: "[flags]", Summary: "write the config file (office, counter, clerk, language, printer, server, office hub)", Flags: initFlags},
		{Name: "version", Args: "", Summary: "print the version", Flags: cli.NoFlags(runVersion)},
	}
}

// initFlags: init writes the config file: the flags given over what is
// there (or the defaults).
func initFlags(fs *flag.FlagSet) runner {
	var cfg config.Config // the values given; "" for the ones not
	var token, hubToken string
	fs.StringVar(&cfg.Office.Code, "office-code", "", "office code")
	fs.StringVar(&cfg.Office.Name, "office-name", "", "office name")
	fs.StringVar(&cfg.Office.Address, "address", "", "office address")
	fs.StringVar(&cfg.Station.Code, "station-code", "", "counter (station) code, e.g. L1")
	fs.StringVar(&cfg.Station.Name, "station-name", "", "counter (station) name, e.g. Loket 1")
	fs.StringVar(&cfg.Clerk.Name, "clerk", "", "clerk name")
	fs.StringVar(&cfg.Timezone, "timezone", "", "office time zone, e.g. Asia/Jakarta")
	fs.StringVar(&cfg.Receipt.Paper, "paper", "", "receipt paper: 80mm, 58mm, A5 or A4")
	fs.StringVar(&cfg.Receipt.Printer, "printer", "", "CUPS printer queue for receipts")
	fs.StringVar(&cfg.Server.URL, "server", "", "central server URL")
	fs.StringVar(&token, "token", "", "station token from the central server (stored in a 0600 file)")
	fs.StringVar(&cfg.Hub.URL, "hub", "", "the office hub this counter works through, e.g. http://hub-pc:8471 (default $LOKET_HUB; \"none\" for none)")
	fs.StringVar(&hubToken, "hub-token", "", "this counter's token from the hub, loket hub counter add (default $LOKET_HUB_TOKEN; stored in a 0600 file)")
	fs.StringVar(&cfg.Hub.PinSHA256, "hub-pin", "", "SHA-256 of a self-signed hub's certificate (hex)")
	return func(e *env, args []string) error {
		if err := noArgs(e, args); err != nil {
			return err
		}
		out := e.cfg
		if cfg.Station.Code != "" && cfg.Station.Name == "" &&
			(out.Station.Name == "" || out.Station.Name == stationName(out.Station.Code) || out.Station.Name == config.Default().Station.Name) {
			cfg.Station.Name = stationName(cfg.Station.Code) // a name of its own is kept
		}
		for _, s := range []struct {
			dst *string
			v   string
		}{
			{&out.Office.Code, cfg.Office.Code}, {&out.Office.Name, cfg.Office.Name}, {&out.Office.Address, cfg.Office.Address},
			{&out.Station.Code, cfg.Station.Code}, {&out.Station.Name, cfg.Station.Name}, {&out.Clerk.Name, cfg.Clerk.Name},
			{&out.Language, e.g.lang}, {&out.Timezone, cfg.Timezone}, {&out.Receipt.Paper, cfg.Receipt.Paper},
			{&out.Receipt.Printer, cfg.Receipt.Printer}, {&out.Server.URL, cfg.Server.URL},
			{&out.Hub.URL, firstOf(cfg.Hub.URL, e.app.Getenv("LOKET_HUB"))}, {&out.Hub.PinSHA256, cfg.Hub.PinSHA256},
		} {
			if s.v != "" {
				*s.dst = s.v
			}
		}
		if token != "" {
			tokenFile := filepath.Join(filepath.Dir(e.cfgPath), "token")
			if err := atomicfile.Write(tokenFile, []byte(token+"\n"), 0o600); err != nil {
				return err
			}
			out.Server.TokenFile = tokenFile
		}
		if out.Hub.URL == "none" {
			out.Hub.URL, out.Hub.TokenFile, out.Hub.PinSHA256 = "", "", ""
		}
		if hubToken = firstOf(hubToken, e.app.Getenv("LOKET_HUB_TOKEN")); hubToken != "" {
			if out.Hub.URL == "" {
				return usagef("init: --hub-token needs --hub URL (the office hub this counter works through)")
			}
			if !strings.HasPrefix(hubToken, store.TokenPrefix) {
				return usagef("init: --hub-token is not a counter token (%s…: loket hub counter add prints one)", store.TokenPrefix)
			}
			// Named after the config file, so two counters' configs in one
			// directory (a trial on one machine) keep their own tokens.
			tokenFile := strings.TrimSuffix(e.cfgPath, filepath.Ext(e.cfgPath)) + ".hub_token"
			if err := atomicfile.Write(tokenFile, []byte(hubToken+"\n"), 0o600); err != nil {
				return err
			}
			out.Hub.TokenFile = tokenFile
		}
		if err := out.Validate(); err != nil {
			return fmt.Errorf("%w: %w", err, queue.ErrInvalid)
		}
		if err := config.Save(e.cfgPath, out); err != nil {
			return err
		}
		fmt.Fprintln(e.out(), e.t().S("cmd.init.written", e.cfgPath))
		return nil
	}
}

// stationName is the name a counter's code gives when no name is given:
// "L2" and "Loket2" are "Loket 2", "L02" too; another code, "CS", is
// "Loket CS".
func stationName(code string) string {
	code = strings.TrimSpace(code)
	num := code
	for _, p := range []string{"loket", "l"} {
		if len(num) > len(p) && strings.EqualFold(num[:len(p)], p) {
			num = strings.TrimSpace(num[len(p):])
			break
		}
	}
	if n, err := strconv.Atoi(num); err == nil && n >= 0 && strings.Trim(num, "0123456789") == "" {
		return "Loket " + strconv.Itoa(n)
	}
	return "Loket " + code
}

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

func runVersion(e *env, args []string) error {
	v := version
	if v == "" {
		v = "devel"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
	}
	fmt.Fprintf(e.out(), "loket %s (database schema %d)\n", v, store.SchemaVersion())
	return nil
}
