package report

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
)

// The JUnit document as a test reporter reads it, declared apart from the
// writer's types so that the test checks the XML, not the structs.
type parsedSuites struct {
	Name     string `xml:"name,attr"`
	Tests    int    `xml:"tests,attr"`
	Failures int    `xml:"failures,attr"`
	Skipped  int    `xml:"skipped,attr"`
	Suites   []struct {
		Name      string `xml:"name,attr"`
		Tests     int    `xml:"tests,attr"`
		Failures  int    `xml:"failures,attr"`
		Skipped   int    `xml:"skipped,attr"`
		Time      string `xml:"time,attr"`
		Timestamp string `xml:"timestamp,attr"`
		Props     []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		Cases []parsedCase `xml:"testcase"`
	} `xml:"testsuite"`
}

type parsedCase struct {
	Name      string `xml:"name,attr"`
	Classname string `xml:"classname,attr"`
	Time      string `xml:"time,attr"`
	Failure   *struct {
		Message string `xml:"message,attr"`
		Text    string `xml:",chardata"`
	} `xml:"failure"`
	Skipped *struct {
		Message string `xml:"message,attr"`
	} `xml:"skipped"`
	SystemOut string `xml:"system-out"`
}

func TestJUnit(t *testing.T) {
	var out bytes.Buffer
	if err := WriteJUnit(&out, recordBuild(), testMeta); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("no XML declaration:\n%s", out.String())
	}
	var doc parsedSuites
	if err := xml.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("parsing the JUnit XML back: %v\n%s", err, out.String())
	}
	if doc.Name != "gobuildj" || doc.Tests != 7 || doc.Failures != 1 || doc.Skipped != 3 || len(doc.Suites) != 1 {
		t.Fatalf("testsuites: %+v", doc)
	}
	suite := doc.Suites[0]
	if suite.Name != "gobuildj examples/c" || suite.Tests != 7 || suite.Failures != 1 || suite.Skipped != 3 ||
		suite.Time != "0.430" || suite.Timestamp != at(0).Local().Format("2006-01-02T15:04:05") {
		t.Errorf("testsuite attributes: %+v", suite)
	}
	props := map[string]string{}
	for _, p := range suite.Props {
		props[p.Name] = p.Value
	}
	if props["command"] != "gobuildj -C examples/c -k" || props["jobs"] != "2" || props["buildfile"] != "examples/c/Buildfile.toml" {
		t.Errorf("properties: %v", props)
	}
	cases := map[string]parsedCase{}
	var order []string
	for _, c := range suite.Cases {
		cases[c.Name] = c
		order = append(order, c.Name)
		if c.Classname != "examples/c" {
			t.Errorf("%s: classname %q, want the Buildfile's folder", c.Name, c.Classname)
		}
	}
	if got := strings.Join(order, " "); got != "lib.o main.o util.o lib.a docs app version" {
		t.Errorf("testcases in order %q, want commands as they ended, then what did not run", got)
	}
	for name, time := range map[string]string{"lib.o": "0.190", "main.o": "0.289", "util.o": "0.149", "lib.a": "0.119", "docs": "0.000"} {
		if cases[name].Time != time {
			t.Errorf("%s: time %q, want %q", name, cases[name].Time, time)
		}
	}
	lib := cases["lib.o"]
	if lib.Failure != nil || lib.Skipped != nil || lib.SystemOut != "lib.c:2:5: warning: unused <x> & bold\n" {
		t.Errorf("lib.o: %+v (its output should come back as system-out, without colours)", lib)
	}
	util := cases["util.o"]
	if util.Failure == nil || util.Failure.Message != "exit code 1" ||
		util.Failure.Text != "cc -c util.c -o util.o\nutil.c:3:1: error: expected ';'\n" {
		t.Errorf("util.o failure: %+v", util.Failure)
	}
	for name, msg := range map[string]string{
		"docs":    "up to date: inputs, commands and outputs unchanged since its last run",
		"app":     "blocked: dep util.o failed",
		"version": "early cutoff: its deps were rebuilt with identical outputs",
	} {
		if c := cases[name]; c.Skipped == nil || c.Skipped.Message != msg || c.Failure != nil {
			t.Errorf("%s: %+v, want skipped with %q", name, c, msg)
		}
	}
}
