package i18n

// Texts is every language's table of texts, for the external tests.
func Texts() map[string]map[string]string {
	out := map[string]map[string]string{}
	for code, l := range languages {
		out[code] = l.texts
	}
	return out
}
