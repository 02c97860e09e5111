// Package speech makes the spoken call of a queue ticket for the waiting
// room's board: a chime, then "Nomor antrean, A, nol, nol, tujuh, silakan
// menuju, loket, dua" (or in English, "Ticket number, A, zero, zero, seven,
// please go to, counter, two"), as one WAV file.
//
// Nothing speaks text at run time. A call is put together from short
// recorded clips, one per word or phrase, which all share one format
// (16-bit mono PCM at one sample rate). The default clips are built in
// (made once by clips/make.sh with espeak-ng and committed); an office may
// record its own and [Load] them from a folder instead. Load checks every
// clip any announcement can need, so a missing or wrong clip is an error
// at start-up that names the file, not silence at the first call.
//
// # How a call is read
//
// The ticket is read character by character: each letter by its name, each
// digit as a digit ("A-007": A, nol, nol, tujuh); "-" and spaces are not
// read. The counter is read after the word "loket" ("counter"):
//
//   - a leading "Loket" or "Counter" is that word, not said twice
//     ("Loket 3": loket, tiga);
//   - a leading "L" right before the number is the word too ("L12", "L-12":
//     loket, dua belas);
//   - then each run of up to four digits is one number, in words ("12": dua
//     belas, "115": seratus lima belas, "007": tujuh), a longer run digit by
//     digit, and each letter is spelled ("CS": loket, C, S; "B2": loket, B,
//     dua).
//
// Only the letters A-Z, the digits and " -._/" can be read; anything else,
// an empty code or one longer than 16 characters is [ErrInput].
//
// Indonesian numbers: sepuluh, sebelas, dua belas, dua puluh satu, seratus,
// seratus sebelas, dua ratus, seribu, dua ribu tiga ratus. English: American
// style, without "and" (one hundred fifteen). Numbers go up to 9999.
//
// # The clip folder
//
//	chime.wav        the chime
//	id/loket.wav     Indonesian: one clip per phrase, letter (a.wav ...
//	id/a.wav ...     z.wav) and number word (nol, satu ... sembilan,
//	                 sepuluh, sebelas, belas, puluh, seratus, ratus, seribu, ribu)
//	en/counter.wav   English: phrases, letters, zero ... nineteen, twenty
//	                 ... ninety, hundred, thousand
//
// go run ./speech/internal/clipgen -list prints every file and what it says.
//
// # The call
//
// [Announcer.Call] returns the WAV of one call, built in well under a
// millisecond and kept in a small cache keyed by the exact clip sequence,
// so "L2" and "2" share one entry. [Words], [Text] and [Clips] give what is
// said, the sentence to show, and the clip files in order. Whether to
// chime is the caller's choice (chime on/off); whether to speak at all is
// the board's.
package speech
