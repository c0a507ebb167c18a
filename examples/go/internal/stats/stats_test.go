package stats

import (
	"reflect"
	"testing"
)

func TestFrequencies(t *testing.T) {
	got := Frequencies([]string{"b", "a", "b", "c", "a", "b"})
	want := []Count{{"b", 3}, {"a", 2}, {"c", 1}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Frequencies = %v, want %v", got, want)
	}
	if got := Frequencies(nil); len(got) != 0 {
		t.Errorf("Frequencies(nil) = %v", got)
	}
}

func TestMeanLength(t *testing.T) {
	if got := MeanLength([]string{"ab", "café"}); got != 3 {
		t.Errorf("MeanLength = %v, want 3", got)
	}
	if got := MeanLength(nil); got != 0 {
		t.Errorf("MeanLength(nil) = %v", got)
	}
}
