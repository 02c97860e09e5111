package cli

import "time"

// Day checks the value v of the date flag --name: a real day, YYYY-MM-DD.
// The error names the flag.
func Day(name, v string) error {
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		return Usagef("--%s %q is not a date YYYY-MM-DD", name, v)
	}
	return nil
}

// Days checks the --from and --to of a range of days, in the order typed,
// and fills them in: an empty --from is today, an empty --to is --from.
// With today "" an empty end stays open (every day before, or after). The
// range may not end before it begins.
func Days(from, to, today string) (string, string, error) {
	for _, d := range [][2]string{{"from", from}, {"to", to}} {
		if d[1] != "" {
			if err := Day(d[0], d[1]); err != nil {
				return "", "", err
			}
		}
	}
	if today != "" {
		if from == "" {
			from = today
		}
		if to == "" {
			to = from
		}
	}
	if from != "" && to != "" && to < from {
		return "", "", Usagef("--to %s is before --from %s", to, from)
	}
	return from, to, nil
}
