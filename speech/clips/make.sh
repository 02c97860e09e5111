#!/usr/bin/env bash
# Makes the default announcement clips in this folder, which are committed
# and built into the program (go:embed); nothing speaks text at run time.
#
#   speech/clips/make.sh          # from anywhere in the repository
#
# Needs Go and espeak-ng (Debian: apt-get install espeak-ng). It writes
#   chime.wav          a two-tone chime, generated (no espeak)
#   id/*.wav           every Indonesian word and phrase (espeak-ng -v id)
#   en/*.wav           every English one (espeak-ng -v en)
# as 16-bit mono PCM at 12 kHz, spoken at 150 words a minute, silence
# trimmed, each clip's peak at 70% of full scale. The list of clips and
# what each says is speech/internal/clipset (where espeak-ng's Indonesian
# reads a word wrongly, it is given as phonemes there); the work is done by
# speech/internal/clipgen. The set is about 1.25 MB; at 16 kHz it would
# be 1.7 MB.
#
# To record an office's own voice instead, make a folder laid out like this
# one (the file list: go run ./speech/internal/clipgen -list) and point the
# board's configuration at it; see the README, "Spoken calls".
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v espeak-ng >/dev/null || { echo "make.sh: needs espeak-ng (apt-get install espeak-ng)" >&2; exit 1; }
rm -f speech/clips/chime.wav speech/clips/id/*.wav speech/clips/en/*.wav
go run ./speech/internal/clipgen -out speech/clips -rate 12000 -speed 150 "$@"
n=$(cat speech/clips/*.wav speech/clips/*/*.wav | wc -c)
echo "made $(ls speech/clips/*.wav speech/clips/*/*.wav | wc -l) clips, $n bytes"
