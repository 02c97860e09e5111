package receipts

import (
	"bufio"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/loket-id/loket/config"
	"github.com/loket-id/loket/receipts/printcmd"
)

// sumatra is the Windows print command the README shows (as a TOML literal
// string; TestReadmeWindowsExample checks that the two agree).
const sumatra = `"C:\Program Files\SumatraPDF\SumatraPDF.exe" -print-to "{printer}" -silent {file}`

func TestPrintArgs(t *testing.T) {
	for _, tc := range []struct {
		name, paper, printer, command, file string
		height                              float64
		want                                []string
		err                                 error
	}{
		{"lp roll", "80mm", "kasir", "", "/x/r.pdf", 150.4,
			[]string{"lp", "-d", "kasir", "-o", "media=Custom.80x150mm", "-o", "print-scaling=none", "/x/r.pdf"}, nil},
		{"lp A4", "A4", "kasir", "", "/x/r.pdf", 297,
			[]string{"lp", "-d", "kasir", "-o", "media=A4", "-o", "print-scaling=none", "/x/r.pdf"}, nil},
		{"linux lpr", "80mm", "kasir", "lpr -P {printer} -o w={width} -o h={height} {file}", "/x/r.pdf", 150.4,
			[]string{"lpr", "-P", "kasir", "-o", "w=80", "-o", "h=150", "/x/r.pdf"}, nil},
		{"linux lpr, a file path with a space", "58mm", "kasir", "lpr -P {printer} -o media=Custom.{width}x{height}mm {file}",
			"/home/sari/data loket/r.pdf", 120,
			[]string{"lpr", "-P", "kasir", "-o", "media=Custom.58x120mm", "/home/sari/data loket/r.pdf"}, nil},
		{"windows SumatraPDF", "80mm", "EPSON TM-T82 Receipt", sumatra, `C:\Users\Sari\AppData\Roaming\loket\receipts\2026-11-27\B-007-01KB.pdf`, 150,
			[]string{`C:\Program Files\SumatraPDF\SumatraPDF.exe`, "-print-to", "EPSON TM-T82 Receipt", "-silent",
				`C:\Users\Sari\AppData\Roaming\loket\receipts\2026-11-27\B-007-01KB.pdf`}, nil},
		{"windows default printer", "80mm", "", `C:\SumatraPDF\SumatraPDF.exe -print-to-default -print-settings "noscale" -silent "{file}"`, `C:\r\B 007.pdf`, 150,
			[]string{`C:\SumatraPDF\SumatraPDF.exe`, "-print-to-default", "-print-settings", "noscale", "-silent", `C:\r\B 007.pdf`}, nil},
		{"unclosed quote", "80mm", "kasir", `"C:\Program Files\SumatraPDF\SumatraPDF.exe -silent {file}`, "/x/r.pdf", 150, nil, printcmd.ErrUnclosedQuote},
		{"blank command", "80mm", "kasir", "   ", "/x/r.pdf", 150, nil, printcmd.ErrEmpty},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &Maker{Paper: Papers[tc.paper], PrinterQueue: tc.printer, PrintCommand: tc.command}
			got, err := m.PrintArgs(tc.file, tc.height)
			if !errors.Is(err, tc.err) {
				t.Fatalf("PrintArgs error = %v, want %v", err, tc.err)
			}
			if err != nil && !strings.Contains(err.Error(), "receipt.print_command") {
				t.Errorf("error %q does not name the setting", err)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("PrintArgs = %q\n                 want %q", got, tc.want)
			}
		})
	}
}

// TestPrintCommandWithSpaces prints through a program whose path has a
// space in it, as on Windows ("C:\Program Files\..."), and with a printer
// name that has spaces: each reaches the program as one argument.
func TestPrintCommandWithSpaces(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Program Files", "Fake Print")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	logFile := filepath.Join(dir, "args.log")
	script := "#!/bin/sh\nfor a; do echo \"[$a]\" >> '" + logFile + "'; done\n"
	if err := os.WriteFile(filepath.Join(dir, "print pdf"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	d := sample("Siti")
	m := &Maker{Dir: t.TempDir(), Paper: Papers["80mm"], PrinterQueue: "EPSON TM-T82 Receipt", Lang: "id", Location: wib,
		PrintCommand: `"` + filepath.Join(dir, "print pdf") + `" -print-to "{printer}" -silent {file}`}
	res, err := m.Produce(context.Background(), d.Request, d.Service, true)
	if err != nil || !res.Printed || res.PrintErr != nil {
		t.Fatalf("Produce: %+v, %v", res, err)
	}
	got, _ := os.ReadFile(logFile)
	if want := "[-print-to]\n[EPSON TM-T82 Receipt]\n[-silent]\n[" + res.Path + "]\n"; string(got) != want {
		t.Fatalf("the program got\n%s\nwant\n%s", got, want)
	}
}

// TestBadPrintCommand: a print command without a program fails the print
// with a reason (it used to panic) and keeps the receipt.
func TestBadPrintCommand(t *testing.T) {
	d := sample("Siti")
	for _, command := range []string{" ", `"unclosed {file}`} {
		m := &Maker{Dir: t.TempDir(), Paper: Papers["80mm"], PrinterQueue: "kasir", PrintCommand: command, Location: wib}
		res, err := m.Produce(context.Background(), d.Request, d.Service, true)
		if err != nil || res.Printed || res.PrintErr == nil || !strings.Contains(res.PrintErr.Error(), "receipt.print_command") {
			t.Fatalf("%q: %+v, %v", command, res, err)
		}
		if _, err := os.Stat(res.Path); err != nil {
			t.Fatalf("%q: receipt not saved: %v", command, err)
		}
		if f := m.Failed(d.Request.Day); f[d.Request.ID] == "" {
			t.Fatalf("%q: failure not recorded: %v", command, f)
		}
	}
}

// TestReadmeWindowsExample reads the Windows print_command the README
// shows, as the config reads it, and checks it is the one tested above.
func TestReadmeWindowsExample(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var line string
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if l := strings.TrimSpace(sc.Text()); strings.HasPrefix(l, "print_command = '") && strings.Contains(l, "SumatraPDF") {
			line = l
			break
		}
	}
	if line == "" {
		t.Fatal("README shows no Windows print_command with SumatraPDF")
	}
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte("[receipt]\nprinter = \"EPSON TM-T82 Receipt\"\n"+line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("the README's example is not a valid config: %v", err)
	}
	if cfg.Receipt.PrintCommand != sumatra {
		t.Fatalf("README's print_command reads as %q, the tested one is %q", cfg.Receipt.PrintCommand, sumatra)
	}
}
