// Package printcmd reads receipt.print_command, the command line that
// prints a receipt where CUPS's lp is not the way (Windows with
// SumatraPDF, or any program that prints a PDF). It has no dependencies,
// so the config can check the setting when it is read.
package printcmd

import (
	"errors"
	"fmt"
	"unicode"
)

var (
	// ErrUnclosedQuote: a double quote opens a word that never ends.
	ErrUnclosedQuote = errors.New("unclosed double quote")
	// ErrEmpty: the command has no words.
	ErrEmpty = errors.New("no program")
)

// Split splits a command line into its words:
//   - blanks (spaces, tabs) separate words;
//   - double quotes group: what is between them, blanks included, belongs
//     to the word, and the quotes themselves are dropped ("" is an empty
//     word; a"b c"d is the one word ab cd);
//   - a backslash is an ordinary character, so Windows paths are written as
//     they are: "C:\Program Files\SumatraPDF\SumatraPDF.exe" is one word;
//   - single quotes are ordinary characters too (a Windows path may hold
//     one), and a word cannot hold a double quote.
//
// The first word is the program, the rest its arguments, passed as they
// are (no shell runs). An unclosed quote or a line without words is an
// error.
func Split(s string) ([]string, error) {
	var (
		words  []string
		word   []rune
		inWord bool // a word has begun (possibly "" so far)
		quote  = -1 // byte offset of the open quote, -1 outside quotes
	)
	for i, r := range s {
		switch {
		case quote >= 0 && r == '"':
			quote = -1
		case quote >= 0:
			word = append(word, r)
		case r == '"':
			quote, inWord = i, true
		case unicode.IsSpace(r):
			if inWord {
				words = append(words, string(word))
				word, inWord = word[:0], false
			}
		default:
			word, inWord = append(word, r), true
		}
	}
	if quote >= 0 {
		return nil, fmt.Errorf("%w at character %d of %q", ErrUnclosedQuote, len([]rune(s[:quote]))+1, s)
	}
	if inWord {
		words = append(words, string(word))
	}
	if len(words) == 0 || words[0] == "" {
		return nil, fmt.Errorf("%w in %q", ErrEmpty, s)
	}
	return words, nil
}
