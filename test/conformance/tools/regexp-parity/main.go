// Command regexp-parity prints what Go's regexp answers for the patterns go-bexpr users write in
// a Nomad `?filter=` (`Name matches "…"`): whether each pattern compiles, the exact error text
// when it does not, and whether it matches its input. go-bexpr compiles with regexp.Compile and
// matches with MatchString, an unanchored search, so that is what this does too.
//
// Caravan's unit tests run every row against its own regexp layer (src/api/filter/), so a
// difference between Caravan and Go shows up as a failing row, not in production.
//
// Regenerate the fixture after changing the cases (from test/conformance):
//
//	go run ./tools/regexp-parity > ../unit/api/filter/go-regexp-parity.json
//
// Check that the committed fixture is what this Go answers (exit 1 if not):
//
//	go run ./tools/regexp-parity -check ../unit/api/filter/go-regexp-parity.json
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strings"
)

type parityCase struct {
	rule    string
	pattern string
	input   string
}

// An invalid pattern has no input: only its error text matters.
func refused(rule, pattern string) parityCase { return parityCase{rule, pattern, ""} }

var cases = []parityCase{
	// Unanchored search, anchors and boundaries
	{"unanchored search finds a substring", `web`, "api-web-1"},
	{"unanchored search misses", `web`, "api-db-1"},
	{"^ anchors at the start of the text", `^web`, "api-web"},
	{"^ matches at the start", `^api`, "api-web"},
	{"$ anchors at the end of the text", `web$`, "api-web"},
	{"$ does not match before a final newline", `a$`, "a\n"},
	{"^…$ spans the whole text", `^web-\d+$`, "web-12"},
	{"^…$ refuses a longer text", `^web-\d+$`, "web-12x"},
	{"without (?m) ^ is a text anchor", `^b`, "a\nb"},
	{"(?m) makes ^ a line anchor", `(?m)^b`, "a\nb"},
	{"(?m) makes $ a line anchor", `(?m)a$`, "a\nb"},
	{"(?m)$ matches at the very end", `(?m)b$`, "a\nb"},
	{`\A is the start of the text`, `\Aa`, "ba"},
	{`\A is the start of the text, even with (?m)`, `(?m)\Ab`, "a\nb"},
	{`\z is the end of the text`, `a\z`, "a"},
	{`\z is not before a final newline`, `a\z`, "a\n"},
	{`\b at a word boundary`, `\bfoo\b`, "a foo b"},
	{`\b needs a boundary`, `\bfoo\b`, "afoo"},
	{`\B inside a word`, `\Bfoo`, "afoo"},
	{`\b is ASCII: é is not a word character`, `\bé`, "é"},
	{`\b is ASCII: a boundary before é`, `a\b`, "aé"},
	{"the empty pattern matches everything", ``, "x"},
	{"the empty pattern matches the empty text", ``, ""},
	{"^$ matches the empty text", `^$`, ""},
	{"^$ refuses a newline", `^$`, "\n"},

	// Dot
	{". matches any character", `a.c`, "abc"},
	{". does not match a newline", `a.c`, "a\nc"},
	{`. matches \r`, `a.c`, "a\rc"},
	{"(?s) lets . match a newline", `(?s)a.c`, "a\nc"},
	{"(?s:…) scopes the flag", `(?s:a.)c.`, "a\nc\n"},
	{". is one code point, even outside the BMP", `^.$`, "😀"},
	{"two dots are two code points", `^..$`, "😀"},
	{". matches a non-ASCII letter", `^h.llo$`, "héllo"},

	// Character classes
	{"a class matches one of its characters", `^[abc]+$`, "cab"},
	{"a range", `^[a-f0-9]+$`, "deadbeef42"},
	{"a range refuses outside it", `^[a-f]+$`, "xyz"},
	{"a negated class", `^[^abc]+$`, "xyz"},
	{"a negated class matches a newline", `[^a]`, "\n"},
	{"] first in a class is literal", `[]a]`, "]"},
	{"- at the end of a class is literal", `[a-]`, "-"},
	{"- between ranges is literal", `[a-c-e]`, "-"},
	{"^ not first in a class is literal", `[a^]`, "^"},
	{"escaped ] in a class", `[\]]`, "]"},
	{"a class outside the BMP", `^[😀-😂]$`, "😁"},
	{"a negated class outside the BMP", `^[^a]$`, "😀"},
	{"a class of escapes", `^[\d\s]+$`, "1 2"},
	{"a negated Perl class inside a class", `^[\D]+$`, "abc"},
	{"- after a Perl class in a class is literal", `^[\d-z]+$`, "1-z"},

	// Perl classes
	{`\d matches an ASCII digit`, `\d`, "web-1"},
	{`\d is ASCII only`, `\d`, "٣"},
	{`\D matches a non-digit`, `^\D+$`, "abc"},
	{`\w is ASCII letters, digits and _`, `^\w+$`, "web_1"},
	{`\w is ASCII only`, `^\w+$`, "héllo"},
	{`\W matches punctuation`, `\W`, "a-b"},
	{`\s matches a space`, `\s`, "a b"},
	{`\s matches a tab`, `\s`, "\t"},
	{`\s matches \f`, `\s`, "\f"},
	{`\s matches \r`, `\s`, "\r"},
	{`\s does not match \v`, `\s`, "\v"},
	{`\s does not match NBSP`, `\s`, "\u00a0"},
	{`\s does not match an em space`, `\s`, "\u2003"},
	{`\S matches a non-space`, `^\S+$`, "web"},

	// POSIX classes
	{"[[:alpha:]] is an ASCII letter", `^[[:alpha:]]+$`, "web"},
	{"[[:alpha:]] is ASCII only", `[[:alpha:]]`, "é"},
	{"[[:digit:]]", `[[:digit:]]`, "x1"},
	{"[[:alnum:]]", `^[[:alnum:]]+$`, "web1"},
	{"[[:space:]] includes \\v", `[[:space:]]`, "\v"},
	{"[[:upper:]]", `^[[:upper:]]+$`, "WEB"},
	{"[[:upper:]] refuses lower case", `[[:upper:]]`, "web"},
	{"(?i)[[:upper:]] matches lower case", `(?i)^[[:upper:]]+$`, "web"},
	{"[[:lower:]]", `^[[:lower:]]+$`, "web"},
	{"[[:punct:]]", `^[[:punct:]]+$`, "!-_."},
	{"[[:word:]]", `^[[:word:]]+$`, "web_1"},
	{"[[:xdigit:]]", `^[[:xdigit:]]+$`, "c0ffee"},
	{"[[:^alpha:]] negates a POSIX class", `^[[:^alpha:]]+$`, "123"},
	{"[[:alpha:][:digit:]] combines classes", `^[[:alpha:][:digit:]]+$`, "web1"},
	{"[:alpha:] without the outer brackets is a class of its characters", `^[:alpha:]+$`, "pal:"},
	{"[: with no :] after it is literal in a class", `^[[:]+$`, "[:"},

	// Unicode classes
	{`\pL is any letter`, `^\pL+$`, "héllo"},
	{`\pL refuses a digit`, `^\pL+$`, "a1"},
	{`\p{L} is \pL`, `^\p{L}+$`, "ÿ"},
	{`\p{Lu} is an upper-case letter`, `^\p{Lu}$`, "É"},
	{`\p{Lu} refuses lower case`, `^\p{Lu}$`, "é"},
	{`\pN is any number`, `^\pN+$`, "٣3"},
	{`\p{Nd} is a decimal digit`, `^\p{Nd}$`, "٣"},
	{`\p{Greek} is a script`, `\p{Greek}`, "α"},
	{`\p{Greek} refuses Latin`, `\p{Greek}`, "a"},
	{`\P{Greek} negates it`, `^\P{Greek}$`, "α"},
	{`\p{^Greek} negates it too`, `^\p{^Greek}$`, "a"},
	{`\p{Han}`, `^\p{Han}+$`, "漢字"},
	{`\p{Cyrillic}`, `^\p{Cyrillic}+$`, "привет"},
	{`\p{So} outside the BMP`, `^\p{So}$`, "😀"},
	{`\p{Any} is any character`, `^\p{Any}$`, "\n"},
	{`\pL in a class`, `^[\pL\d]+$`, "héllo1"},
	{`\PL in a class`, `^[\PL]+$`, "123"},
	{`\p{LC} is a cased letter`, `^\p{LC}+$`, "Web"},
	{`\p{Assigned} is any assigned code point`, `\p{Assigned}`, "a"},
	{`\p{Cn} is an unassigned code point`, `\p{Cn}`, "\u0378"},
	{`names in any case (Go 1.25 and later)`, `\p{greek}`, "α"},
	{`a single lower-case letter (Go 1.25 and later)`, `\ps`, "+"},
	{`long category names (Go 1.25 and later)`, `^\p{Letter}+$`, "web"},
	{`\p{ASCII} (Go 1.25 and later)`, `^\p{ASCII}+$`, "web"},
	refused(`a script with _ in its name (Go 1.26 finds none)`, `\p{Old_Italic}`),

	// Flags
	{"(?i) folds case", `(?i)WEB`, "Web"},
	{"without (?i) case matters", `WEB`, "Web"},
	{"(?i:…) folds case in the group only", `(?i:a)B`, "Ab"},
	{"(?i:…) folds case in the group", `(?i:a)B`, "AB"},
	{"(?-i) turns folding off again", `(?i)a(?-i)b`, "AB"},
	{"(?i) applies to classes", `(?i)^[a-c]+$`, "ABC"},
	{"(?i) applies to negated classes", `(?i)^[^a]$`, "A"},
	{"(?i) folds non-ASCII letters", `(?i)^é$`, "É"},
	{"(?i) folds k to the Kelvin sign", `(?i)k`, "\u212a"},
	{"(?i) folds s to the long s", `(?i)s`, "\u017f"},
	{"(?i) folds σ to final ς", `(?i)σ`, "ς"},
	{"(?i) folds ß to capital ẞ", `(?i)ß`, "ẞ"},
	{"(?i) does not fold dotless ı to i", `(?i)ı`, "i"},
	{"(?i) does not fold i to dotless ı", `(?i)i`, "ı"},
	{"(?i) does not fold i to dotted İ", `(?i)i`, "İ"},
	{"(?i) does not fold I to dotless ı", `(?i)I`, "ı"},
	{"(?i) folds Cyrillic", `(?i)^привет$`, "ПРИВЕТ"},
	{"(?im) combines flags", `(?im)^b$`, "a\nB"},
	{"(?U) swaps greediness (the match exists either way)", `(?U)a+`, "aaa"},
	{"(?U) with an anchor", `(?U)^a+$`, "aaa"},
	{"(?sm) with .", `(?sm)^a.b$`, "a\nb"},
	{"(?) is an empty flag group", `^(?)a$`, "a"},

	// Repetition
	{"* allows none", `^ab*c$`, "ac"},
	{"+ needs one", `^ab+c$`, "ac"},
	{"? is optional", `^colou?r$`, "color"},
	{"{n} counts exactly", `^a{3}$`, "aaa"},
	{"{n} refuses more", `^a{3}$`, "aaaa"},
	{"{n,m} counts", `^a{2,3}$`, "aaaa"},
	{"{n,m} within bounds", `^a{2,3}$`, "aa"},
	{"{n,} counts", `^a{2,}$`, "aaaa"},
	{"{0} matches nothing", `^ba{0}c$`, "bc"},
	{"{1000} is the largest count", `^a{1000}$`, strings.Repeat("a", 1000)},
	{"a { that is not a count is a literal", `a{,2}`, "a{,2}"},
	{"a lone { is a literal", `a{`, "a{"},
	{"{x} is a literal", `^a{x}$`, "a{x}"},
	{"non-greedy *? still finds the match", `^a*?b$`, "aab"},
	{"non-greedy +?", `a+?b`, "aab"},
	{"non-greedy ??", `^ab??$`, "ab"},
	{"non-greedy {n,m}?", `^a{1,3}?$`, "aaa"},
	{"repetition of a group", `^(ab)+$`, "ababab"},
	{"nested repetition counts within 1000", `^(a{10}){10}$`, strings.Repeat("a", 100)},
	{"counts side by side may add up past 1000", strings.Repeat(`\w{1000}`, 21), "x"},

	// Alternation and groups
	{"alternation", `^(web|api)-\d$`, "api-1"},
	{"alternation refuses others", `^(web|api)-\d$`, "db-1"},
	{"alternation without a group spans the pattern", `^web|api$`, "xapi"},
	{"empty alternatives", `(|a)*b`, "b"},
	{"an empty alternative at the end", `^(a|)$`, ""},
	{"non-capturing groups", `^(?:ab)+$`, "abab"},
	{"named groups (?P<name>…)", `(?P<group>web)-\d`, "web-1"},
	{"named groups (?<name>…)", `(?<group>web)`, "web"},
	{"a group name may repeat", `(?P<n>x)(?P<n>y)`, "xy"},
	{"flags in a non-capturing group", `^(?i:WEB)-x$`, "web-x"},

	// Escapes
	{`\. is a literal dot`, `^a\.b$`, "a.b"},
	{`\. refuses other characters`, `^a\.b$`, "axb"},
	{`\\ is a backslash`, `^a\\b$`, `a\b`},
	{"escaped punctuation is literal", `\!\@\#\$\%\&\-\~`, "!@#$%&-~"},
	{`\t is a tab`, `a\tb`, "a\tb"},
	{`\n is a newline`, `a\nb`, "a\nb"},
	{`\r is a carriage return`, `a\rb`, "a\rb"},
	{`\f \v \a`, `^\f\v\a$`, "\f\v\a"},
	{`\x41 is A`, `^\x41$`, "A"},
	{`\x{263a} is ☺`, `^\x{263a}$`, "☺"},
	{`\x{1F600} is outside the BMP`, `^\x{1F600}$`, "😀"},
	{`octal \101 is A`, `^\101$`, "A"},
	{`\0 is NUL`, `^\0$`, "\x00"},
	{`\Q…\E quotes`, `\Qa.b\E`, "axb"},
	{`\Q…\E matches the literal text`, `^\Qa.b*\E$`, "a.b*"},
	{`\Q without \E quotes to the end`, `^\Qa+`, "a+"},
	{"a literal non-ASCII character", `^café$`, "café"},

	// Refused: JavaScript or PCRE syntax that RE2 does not have
	refused("lookahead", `(?=a)`),
	refused("negative lookahead", `a(?!b)`),
	refused("lookbehind", `(?<=a)b`),
	refused("negative lookbehind", `(?<!a)b`),
	refused("atomic groups", `(?>a)`),
	refused("backreferences", `(a)\1`),
	refused("backreference 2", `(a)(b)\2`),
	refused("\\8 is not octal", `\8`),
	refused("named backreferences", `(?<a>x)\k<a>`),
	refused("(?P=name) backreferences", `(?P<a>x)(?P=a)`),
	refused("possessive *+", `a*+`),
	refused("possessive ++", `a++`),
	refused("possessive ?+", `a?+`),
	refused(`\Z`, `a\Z`),
	refused(`\C`, `a\C`),
	refused(`\G`, `\Ga`),
	refused(`\h`, `\h`),
	refused(`\R`, `\R`),
	refused(`\u escapes`, `\u0041`),
	refused(`\cA control escapes`, `\cA`),
	refused("unknown escapes", `\q`),
	refused(`\b inside a class`, `[\b]`),
	refused("comments (?#…)", `(?#note)a`),
	refused("unknown flags (?x)", `(?x)a`),
	refused("a flag group without )", `(?i`),
	refused("(?-) negates nothing", `(?-)a`),
	refused("(?i-) negates nothing", `(?i-)a`),
	refused("(?--i)", `(?--i)a`),

	// Refused: malformed
	refused("a missing )", `(abc`),
	refused("a missing ) after a group", `(a(b)`),
	refused("a stray )", `abc)`),
	refused("a lone )", `)`),
	refused("a missing ]", `[abc`),
	refused("a lone [", `[`),
	refused("a missing ] after ^", `[^`),
	refused("a class of ] only", `[]`),
	refused("a reversed range", `[z-a]`),
	refused("an unknown Unicode class", `\p{Klingon}`),
	refused(`\p without a name`, `\p`),
	refused(`\p{ without }`, `\p{Greek`),
	refused("an unknown POSIX class", `[[:vowel:]]`),
	refused("nested repetition **", `x**`),
	refused("nested repetition *?*", `x*?*`),
	refused("nested repetition {2}{3}", `x{2}{3}`),
	refused("nested repetition {2}*", `x{2}*`),
	refused("a repetition of nothing *", `*a`),
	refused("a repetition of nothing +", `+a`),
	refused("a repetition of nothing ?", `?a`),
	refused("a repetition of nothing {2}", `{2}a`),
	refused("a repetition after (", `(*a)`),
	refused("a repetition after |", `a|*b`),
	refused("a repetition right after a flag group", `(?i)*a`),
	refused("a reversed count", `x{2,1}`),
	refused("counts above 1000", `a{1001}`),
	refused("a minimum above 1000", `a{1001,}`),
	refused("nested counts above 1000 in total", `(a{100}){11}`),
	refused("nested counts far above 1000", `((a{100}){100}){100}`),
	refused("a trailing backslash", `a\`),
	refused("a lone backslash", `\`),
	refused("an empty group name", `(?P<>a)`),
	refused("a group name with a dash", `(?P<a-b>x)`),
	refused("an unterminated group name", `(?P<name`),
	refused("(?P without <", `(?Px)`),
	refused("(?< at the end of the pattern", `a(?<`),
	refused("(?P< at the end of the pattern", `(?P<`),
	refused("(?<a is too short to be a name", `(?<a`),
	refused(`\x{…} above U+10FFFF`, `\x{110000}`),
	refused(`\x{ without }`, `\x{41`),
	refused(`\x with one hex digit`, `\x4`),
	refused(`\x with no hex digit`, `\xg`),
	refused("a class with a bad escape", `[\q]`),
	refused("a class with a trailing backslash", `[a\`),
	refused("nesting deeper than 1000", strings.Repeat("(", 1001)+"a"+strings.Repeat(")", 1001)),
}

type parityRow struct {
	Rule    string  `json:"rule"`
	Pattern string  `json:"pattern"`
	Input   string  `json:"input"`
	Match   bool    `json:"match"`
	Error   *string `json:"error"`
}

func answer(c parityCase) parityRow {
	row := parityRow{Rule: c.rule, Pattern: c.pattern, Input: c.input}
	re, err := regexp.Compile(c.pattern)
	if err != nil {
		text := err.Error()
		row.Error = &text
		return row
	}
	row.Match = re.MatchString(c.input)
	return row
}

// One row per line, so a change in Go's answers reads as a short diff.
func fixture() []byte {
	var out bytes.Buffer
	out.WriteString("[\n")
	for i, c := range cases {
		var line bytes.Buffer
		enc := json.NewEncoder(&line)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(answer(c)); err != nil {
			panic(err)
		}
		out.WriteString("  ")
		out.Write(bytes.TrimRight(line.Bytes(), "\n"))
		if i < len(cases)-1 {
			out.WriteString(",")
		}
		out.WriteString("\n")
	}
	out.WriteString("]\n")
	return out.Bytes()
}

func main() {
	check := flag.String("check", "", "compare with this committed fixture instead of printing")
	flag.Parse()
	want := fixture()
	if *check == "" {
		os.Stdout.Write(want)
		return
	}
	have, err := os.ReadFile(*check)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if !bytes.Equal(have, want) {
		fmt.Fprintf(os.Stderr, "%s is not what Go %s answers: regenerate it with\n  go run ./tools/regexp-parity > %s\n", *check, strings.TrimPrefix(runtime.Version(), "go"), *check)
		os.Exit(1)
	}
	fmt.Printf("%s: %d rows, as Go answers\n", *check, len(cases))
}
