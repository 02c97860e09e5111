package main

// The hub's registrations, run on the hub PC: its counters (hub counter
// add, list, revoke, set) and the waiting room's devices (hub device add,
// list, revoke). They work on the database like every local command: when
// loket hub runs, through its owner socket. A token is printed once, by
// add, and never logged.

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/loket-id/loket/config"
	"github.com/loket-id/loket/internal/cli"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
)

func hubAdminCommands() []*command {
	return []*command{
		{Name: "hub counter add", Args: "CODE [--name NAME] [--services A,B] [--printer QUEUE] [--ssh-key KEY|@FILE] [--format text|json]",
			Summary: "register a counter at the hub and print its token (shown once)", Owned: true, Flags: counterAddFlags},
		{Name: "hub counter list", Args: "[--format text|json]", Summary: "list the hub's counters", Owned: true, Flags: counterListFlags},
		{Name: "hub counter revoke", Args: "CODE", Summary: "revoke a counter: its token and SSH key stop working at once", Owned: true,
			Flags: cli.NoFlags(runCounterRevoke)},
		{Name: "hub counter set", Args: "CODE --services A,B", Summary: "set the services a counter calls from (\"\": every service)",
			Owned: true, Flags: counterSetFlags},
		{Name: "hub device add", Args: "NAME --role board|kiosk [--format text|json]",
			Summary: "register a waiting-room board or kiosk and print its URL with its token (shown once)", Owned: true, Flags: deviceAddFlags},
		{Name: "hub device list", Args: "[--format text|json]", Summary: "list the waiting room's boards and kiosks", Owned: true, Flags: deviceListFlags},
		{Name: "hub device revoke", Args: "NAME", Summary: "revoke a board or kiosk: its token stops working at once", Owned: true,
			Flags: cli.NoFlags(runDeviceRevoke)},
	}
}

// asInvalid makes a registration that conflicts with another (a code in
// use, a key another counter holds) the user's error: exit 2.
func asInvalid(err error) error {
	if errors.Is(err, queue.ErrConflict) {
		return fmt.Errorf("%w: %w", err, queue.ErrInvalid)
	}
	return err
}

// splitList is a comma-separated flag's values.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func counterAddFlags(fs *flag.FlagSet) runner {
	var in store.NewCounter
	var services, sshKey string
	fs.StringVar(&in.Name, "name", "", "the counter's name, e.g. \"Loket 2\" (default its code)")
	fs.StringVar(&services, "services", "", "the services it calls from, comma-separated (default every service)")
	fs.StringVar(&in.Printer, "printer", "", "its printer queue (CUPS), for its receipts when it works over SSH")
	fs.StringVar(&sshKey, "ssh-key", "", "its SSH public key (ssh-ed25519 AAAA…), or @FILE: it opens the counter's screen over SSH")
	format := formatFlag(fs, false)
	return func(e *env, args []string) error {
		code, err := oneArg(e, args, "CODE")
		if err != nil {
			return err
		}
		if err := checkFormat(*format, "text", "json"); err != nil {
			return err
		}
		in.Code, in.Services = code, splitList(services)
		if file, ok := strings.CutPrefix(sshKey, "@"); ok {
			data, err := os.ReadFile(e.abs(file))
			if err != nil {
				return usagef("--ssh-key: %v", err)
			}
			sshKey = string(data)
		}
		in.SSHKey = sshKey
		st, err := e.store(once)
		if err != nil {
			return err
		}
		c, token, err := st.AddCounter(e.ctx, in)
		if err != nil {
			return fmt.Errorf("hub counter add: %w", asInvalid(err))
		}
		if *format == "json" {
			return writeJSON(e.out(), struct {
				counterView
				Token string `json:"token"`
			}{viewCounter(c), token})
		}
		fmt.Fprintf(e.out(), "counter %s (%s)\ntoken   %s\n\nThe token is shown only this once. On the counter PC:\n  loket init --hub %s --hub-token %s --clerk NAME\n",
			c.Code, c.Name, token, hubAddress(e.cfg, ""), token)
		if c.SSHKey != "" {
			port := "PORT"
			if _, p, err := net.SplitHostPort(e.cfg.Hub.SSHAddr); err == nil {
				port = p
			}
			fmt.Fprintf(e.out(), "Or from a PC with its SSH key: ssh -p %s CLERK@%s\n", port, hubHost(e.cfg))
		}
		return nil
	}
}

// counterView is a counter as list and add show it: never its token's hash.
type counterView struct {
	Code      string     `json:"counter"`
	Name      string     `json:"name"`
	Services  []string   `json:"services"`
	Printer   string     `json:"printer,omitempty"`
	SSHKey    string     `json:"ssh_key,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

func viewCounter(c store.Counter) counterView {
	return counterView{Code: c.Code, Name: c.Name, Services: c.Services, Printer: c.Printer, SSHKey: c.SSHKey,
		CreatedAt: c.CreatedAt, RevokedAt: c.RevokedAt}
}

func counterListFlags(fs *flag.FlagSet) runner {
	format := formatFlag(fs, false)
	return func(e *env, args []string) error {
		st, err := e.readLocal(args, *format)
		if err != nil {
			return err
		}
		cs, err := st.Counters(e.ctx)
		if err != nil {
			return err
		}
		views := make([]counterView, 0, len(cs))
		for _, c := range cs {
			views = append(views, viewCounter(c))
		}
		if *format == "json" {
			return writeJSON(e.out(), views)
		}
		tw := tabwriter.NewWriter(e.out(), 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "COUNTER\tNAME\tSERVICES\tPRINTER\tSSH\tSTATE")
		for _, c := range views {
			svcs := strings.Join(c.Services, ",")
			if svcs == "" {
				svcs = "all"
			}
			ssh := "-"
			if c.SSHKey != "" {
				ssh = "key"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.Code, clean(c.Name), svcs, dashIfEmpty(clean(c.Printer)), ssh, stateOf(c.CreatedAt, c.RevokedAt, st.Location()))
		}
		return tw.Flush()
	}
}

func stateOf(created time.Time, revoked *time.Time, loc *time.Location) string {
	if revoked != nil {
		return "revoked " + revoked.In(loc).Format("2006-01-02 15:04")
	}
	return "active since " + created.In(loc).Format("2006-01-02")
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// clean drops control characters from what a table shows.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

func runCounterRevoke(e *env, args []string) error {
	code, err := oneArg(e, args, "CODE")
	if err != nil {
		return err
	}
	st, err := e.store(once)
	if err != nil {
		return err
	}
	c, err := st.RevokeCounter(e.ctx, code)
	if err != nil {
		return fmt.Errorf("hub counter revoke: %w", err)
	}
	fmt.Fprintf(e.out(), "counter %s revoked: its token and SSH key no longer work\n", c.Code)
	return nil
}

func counterSetFlags(fs *flag.FlagSet) runner {
	services := fs.String("services", "", "the services it calls from, comma-separated; \"\" for every service")
	return func(e *env, args []string) error {
		code, err := oneArg(e, args, "CODE")
		if err != nil {
			return err
		}
		given := false
		fs.Visit(func(f *flag.Flag) { given = given || f.Name == "services" })
		if !given {
			return usagef("hub counter set needs --services A,B (or --services \"\" for every service)")
		}
		st, err := e.store(once)
		if err != nil {
			return err
		}
		c, err := st.SetCounterServices(e.ctx, code, splitList(*services))
		if err != nil {
			return fmt.Errorf("hub counter set: %w", err)
		}
		svcs := strings.Join(c.Services, ",")
		if svcs == "" {
			svcs = "every service"
		}
		fmt.Fprintf(e.out(), "counter %s calls from: %s\n", c.Code, svcs)
		return nil
	}
}

func deviceAddFlags(fs *flag.FlagSet) runner {
	role := fs.String("role", "", "board (a display board), kiosk (a ticket kiosk) or survey (the satisfaction survey's tablet)")
	format := formatFlag(fs, false)
	return func(e *env, args []string) error {
		name, err := oneArg(e, args, "NAME")
		if err != nil {
			return err
		}
		if err := checkFormat(*format, "text", "json"); err != nil {
			return err
		}
		if *role != store.RoleBoard && *role != store.RoleKiosk && *role != store.RoleSurvey {
			return usagef("hub device add needs --role board, --role kiosk or --role survey")
		}
		st, err := e.store(once)
		if err != nil {
			return err
		}
		d, token, err := st.AddDevice(e.ctx, name, *role)
		if err != nil {
			return fmt.Errorf("hub device add: %w", asInvalid(err))
		}
		url := hubAddress(e.cfg, "/"+d.Role+"?t="+token)
		if *format == "json" {
			return writeJSON(e.out(), map[string]string{"device": d.ID, "role": d.Role, "token": token, "url": url})
		}
		fmt.Fprintf(e.out(), "%s %s\nopen once on the device: %s\n\nThe token is shown only this once; the page keeps it in a cookie and drops it from the address.\n",
			d.Role, d.ID, url)
		return nil
	}
}

func deviceListFlags(fs *flag.FlagSet) runner {
	format := formatFlag(fs, false)
	return func(e *env, args []string) error {
		st, err := e.readLocal(args, *format)
		if err != nil {
			return err
		}
		ds, err := st.Devices(e.ctx)
		if err != nil {
			return err
		}
		type view struct {
			ID        string     `json:"device"`
			Role      string     `json:"role"`
			CreatedAt time.Time  `json:"created_at"`
			RevokedAt *time.Time `json:"revoked_at,omitempty"`
		}
		views := make([]view, 0, len(ds))
		for _, d := range ds {
			views = append(views, view{d.ID, d.Role, d.CreatedAt, d.RevokedAt})
		}
		if *format == "json" {
			return writeJSON(e.out(), views)
		}
		tw := tabwriter.NewWriter(e.out(), 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "DEVICE\tROLE\tSTATE")
		for _, d := range views {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", d.ID, d.Role, stateOf(d.CreatedAt, d.RevokedAt, st.Location()))
		}
		return tw.Flush()
	}
}

func runDeviceRevoke(e *env, args []string) error {
	name, err := oneArg(e, args, "NAME")
	if err != nil {
		return err
	}
	st, err := e.store(once)
	if err != nil {
		return err
	}
	d, err := st.RevokeDevice(e.ctx, name)
	if err != nil {
		return fmt.Errorf("hub device revoke: %w", err)
	}
	fmt.Fprintf(e.out(), "%s %s revoked: its token no longer works\n", d.Role, d.ID)
	return nil
}

// hubAddress is the hub's address as a counter or a device reaches it,
// with path: the config's hub.addr, an unspecified host (0.0.0.0, ::)
// replaced with this PC's name.
func hubAddress(cfg config.Config, path string) string {
	_, port, err := net.SplitHostPort(firstOf(cfg.Hub.Addr, config.DefaultHubAddr))
	if err != nil {
		port = "8471"
	}
	host := hubHost(cfg)
	scheme := "http"
	if cfg.Hub.TLSCert != "" {
		scheme = "https"
	}
	return scheme + "://" + net.JoinHostPort(host, port) + path
}

// hubHost is the host of the hub's address as others reach it: an
// unspecified one (0.0.0.0, ::, none) is this PC's name.
func hubHost(cfg config.Config) string {
	host, _, err := net.SplitHostPort(firstOf(cfg.Hub.Addr, config.DefaultHubAddr))
	if ip := net.ParseIP(host); err != nil || host == "" || ip != nil && ip.IsUnspecified() {
		if h, err := os.Hostname(); err == nil {
			return h
		}
	}
	return host
}
