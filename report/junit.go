package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/gobuildj/gobuildj/event"
)

// The JUnit XML schema as GitLab, Jenkins and GitHub's test reporters read
// it: <testsuites> holds one <testsuite> (the Buildfile), which holds one
// <testcase> per target with commands.
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Skipped  int          `xml:"skipped,attr"`
		Time     string       `xml:"time,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string          `xml:"name,attr"`
		Tests      int             `xml:"tests,attr"`
		Failures   int             `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Skipped    int             `xml:"skipped,attr"`
		Time       string          `xml:"time,attr"`
		Timestamp  string          `xml:"timestamp,attr"`
		Hostname   string          `xml:"hostname,attr,omitempty"`
		Properties []junitProperty `xml:"properties>property,omitempty"`
		Cases      []junitCase     `xml:"testcase"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		Time      string        `xml:"time,attr"`
		Failure   *junitFailure `xml:"failure,omitempty"`
		// FlakyFailures and RerunFailures are the failed attempts of
		// a target run again (retries), as Maven Surefire writes its
		// reruns: flaky ones for a target that passed in the end,
		// rerun ones for one that never did.
		FlakyFailures []junitRerun  `xml:"flakyFailure"`
		RerunFailures []junitRerun  `xml:"rerunFailure"`
		Skipped       *junitSkipped `xml:"skipped,omitempty"`
		SystemOut     string        `xml:"system-out,omitempty"`
	}
	junitRerun struct {
		Message    string `xml:"message,attr"`
		Type       string `xml:"type,attr"`
		StackTrace string `xml:"stackTrace"`
		SystemOut  string `xml:"system-out,omitempty"`
	}
	junitFailure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
	junitSkipped struct {
		Message string `xml:"message,attr"`
	}
)

// WriteJUnit writes the build as JUnit XML: one testcase per target with
// commands, named after the target, with the Buildfile's folder as its
// classname. A target that ran has its duration as time and its output as
// system-out; a failed one has a failure whose message says what happened
// ("exit code 1") and whose text is the command and its output; one that did
// not run (up to date, blocked by a failure, or left when the build stopped)
// is skipped, with the reason as message. The failed attempts of a target
// run again (retries) are flakyFailure elements when it passed in the end
// (it is flaky) and rerunFailure ones when it did not, as Maven Surefire
// writes the reruns of a test. A target that passes with the action key it
// failed with in an earlier build has a flakyFailure saying so; one that
// fails with the key it passed with has its failure's message say so.
func WriteJUnit(w io.Writer, b *Build, meta Meta) error {
	name := "gobuildj"
	if meta.Folder != "." && meta.Folder != "" {
		name += " " + meta.Folder
	}
	suite := junitSuite{
		Name:      name,
		Timestamp: b.Start().Local().Format("2006-01-02T15:04:05"),
		Time:      seconds(b.Summary.Wall),
	}
	suite.Hostname, _ = os.Hostname()
	suite.Properties = []junitProperty{
		{Name: "buildfile", Value: meta.Buildfile},
		{Name: "command", Value: strings.Join(append([]string{"gobuildj"}, meta.Args...), " ")},
		{Name: "jobs", Value: fmt.Sprint(meta.Jobs)},
	}
	for _, c := range b.Commands {
		tc := junitCase{Name: c.Target, Classname: meta.Folder, Time: seconds(c.End.Sub(c.Start))}
		if c.OK {
			tc.SystemOut = plainText(c.Output)
		} else {
			suite.Failures++
			text := plainText(c.Output)
			if c.Cmd != "" {
				text = c.Cmd + "\n" + text
			}
			tc.Failure = &junitFailure{Message: failureMessage(c), Type: "failed", Text: text}
		}
		for _, a := range b.RetriedOf(c.Target) {
			rerun := junitRerun{Message: failureMessage(a), Type: "failed", StackTrace: a.Cmd, SystemOut: plainText(a.Output)}
			if c.OK {
				tc.FlakyFailures = append(tc.FlakyFailures, rerun)
			} else {
				tc.RerunFailures = append(tc.RerunFailures, rerun)
			}
		}
		if c.FlakyEarlier && c.OK {
			// Surefire's mark of a flaky test: a failure of the same
			// inputs, here in an earlier build.
			tc.FlakyFailures = append(tc.FlakyFailures, junitRerun{Message: earlierNote(c), Type: "flaky"})
		}
		suite.Cases = append(suite.Cases, tc)
	}
	for _, s := range b.Skipped {
		suite.Skipped++
		suite.Cases = append(suite.Cases, junitCase{
			Name: s.Target, Classname: meta.Folder, Time: seconds(0),
			Skipped: &junitSkipped{Message: s.Kind.String() + ": " + s.Why},
		})
	}
	suite.Tests = len(suite.Cases)
	doc := junitSuites{
		Name: "gobuildj", Tests: suite.Tests, Failures: suite.Failures, Skipped: suite.Skipped,
		Time: suite.Time, Suites: []junitSuite{suite},
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	return nil
}

// failureMessage says what happened to a failed target ("exit code 1",
// "interrupted; killed by SIGTERM").
func failureMessage(c event.Finish) string {
	why := c.Why
	if why == "" {
		why = "failed"
	}
	if c.Interrupted {
		why = "interrupted; " + why
	}
	if c.FlakyEarlier && !c.OK {
		why += " (flaky: " + earlierNote(c) + ")"
	}
	return why
}

func seconds(d time.Duration) string {
	return fmt.Sprintf("%.3f", d.Seconds())
}
