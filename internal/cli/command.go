package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Run is what a command does, given what it runs with (E: the program's
// environment) and its positional arguments. The values of its flags are
// the ones its Flags bound.
type Run[E any] func(e E, args []string) error

// Command is one command of a program: its name, usage, its own flags and
// its Run.
type Command[E any] struct {
	// Name is one word ("add"), or two ("station add").
	Name string
	// Args is the synopsis of its arguments and flags, for its help.
	Args    string
	Summary string
	// Owned: the command works on the database, so that when another
	// process owns it (the owner socket) the command is run there. The owner
	// runs no other command.
	Owned bool
	// Accepts, when set, checks the number of arguments before the flags
	// are read (else the command's Run checks them).
	Accepts func(args []string) bool
	// Flags declares the command's own flags on fs (and only those: any
	// other is refused) and returns its Run, which reads their values.
	Flags func(fs *flag.FlagSet) Run[E]
}

// NoFlags is the Flags of a command that takes no flags of its own.
func NoFlags[E any](run Run[E]) func(*flag.FlagSet) Run[E] {
	return func(*flag.FlagSet) Run[E] { return run }
}

// ExactArgs accepts exactly n arguments.
func ExactArgs(n int) func([]string) bool {
	return func(args []string) bool { return len(args) == n }
}

// Registry is a program's commands.
type Registry[E any] struct {
	prog   string
	byName map[string]*Command[E]
}

// NewRegistry makes the registry of prog's commands.
func NewRegistry[E any](prog string, cmds ...*Command[E]) *Registry[E] {
	r := &Registry[E]{prog: prog, byName: map[string]*Command[E]{}}
	for _, c := range cmds {
		if _, dup := r.byName[c.Name]; dup {
			panic("cli: command " + c.Name + " registered twice")
		}
		r.byName[c.Name] = c
	}
	return r
}

// Lookup is the command called name.
func (r *Registry[E]) Lookup(name string) (*Command[E], bool) {
	c, ok := r.byName[name]
	return c, ok
}

// Names are the commands' names, sorted.
func (r *Registry[E]) Names() []string {
	names := make([]string, 0, len(r.byName))
	for n := range r.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Named is the command that the leading words of pos name, two words
// before one ("station add" before "station"), and the words after its
// name; ok is false when none does.
func (r *Registry[E]) Named(pos []string) (c *Command[E], args []string, ok bool) {
	if len(pos) >= 2 {
		if c, ok := r.byName[pos[0]+" "+pos[1]]; ok {
			return c, pos[2:], true
		}
	}
	if len(pos) >= 1 {
		if c, ok := r.byName[pos[0]]; ok {
			return c, pos[1:], true
		}
	}
	return nil, nil, false
}

// NameOf is the name that the leading words of pos give: a command's, else
// the first word; "" for none.
func (r *Registry[E]) NameOf(pos []string) string {
	if c, _, ok := r.Named(pos); ok {
		return c.Name
	}
	if len(pos) > 0 {
		return pos[0]
	}
	return ""
}

// Words reads a command line whose flags may come before the command's
// words ("--data d station add --office X"): with the flags of every
// command and globals, it returns the positional words. A flag that no
// command takes is refused (see FlagError); flag.ErrHelp is returned as is.
func (r *Registry[E]) Words(args []string, globals func(*flag.FlagSet)) ([]string, error) {
	fs := flag.NewFlagSet(r.prog, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if globals != nil {
		globals(fs)
	}
	for _, n := range r.Names() {
		one := flag.NewFlagSet("", flag.ContinueOnError)
		r.byName[n].Flags(one)
		one.VisitAll(func(f *flag.Flag) {
			if fs.Lookup(f.Name) == nil {
				fs.Var(f.Value, f.Name, f.Usage)
			}
		})
	}
	pos, err := ParseInterspersed(fs, args)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		return pos, FlagError(r.prog, r.NameOf(pos), err)
	}
	return pos, err
}

// Parse reads the command line args of c into its own flags and the ones
// globals declares (those every command takes), and returns c's Run, the
// positional arguments and the flag set (for the help). A flag c does not
// take is refused (see FlagError); flag.ErrHelp is returned as is.
func (r *Registry[E]) Parse(c *Command[E], args []string, globals func(*flag.FlagSet)) (Run[E], []string, *flag.FlagSet, error) {
	fs := flag.NewFlagSet(r.prog+" "+c.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if globals != nil {
		globals(fs)
	}
	run := c.Flags(fs)
	pos, err := ParseInterspersed(fs, args)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		return nil, pos, fs, FlagError(r.prog, c.Name, err)
	}
	return run, pos, fs, err
}

// PrintList prints one line per command: its name and summary.
func (r *Registry[E]) PrintList(w io.Writer) {
	for _, n := range r.Names() {
		fmt.Fprintf(w, "  %-10s %s\n", n, r.byName[n].Summary)
	}
}

// PrintHelp prints the help of c: usage, summary and flags (fs, as Parse
// returned it).
func (r *Registry[E]) PrintHelp(w io.Writer, c *Command[E], fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: %s %s %s\n\n%s\n\nFlags:\n", r.prog, c.Name, c.Args, c.Summary)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// NotOwned is the usage error for a command sent to the owner of the
// database that does not work on it.
func NotOwned(name string) error {
	return Usagef("command %q cannot run through the owner socket", name)
}

// Format checks the value of --format against the ones a command allows.
func Format(format string, allowed ...string) error {
	for _, a := range allowed {
		if format == a {
			return nil
		}
	}
	return Usagef("--format %q is not one of %s", format, strings.Join(allowed, ", "))
}
