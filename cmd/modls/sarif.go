package main

import (
	"encoding/json"
	"io"

	"github.com/modls/modls/checker"
	"github.com/modls/modls/rules"
)

// writeSARIF writes a SARIF 2.1.0 log with one run of modls.
func writeSARIF(w io.Writer, diags []checker.Diagnostic) error {
	type message struct {
		Text string `json:"text"`
	}
	type region struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn"`
		EndLine     int `json:"endLine"`
		EndColumn   int `json:"endColumn"`
	}
	type artifact struct {
		URI string `json:"uri"`
	}
	type physical struct {
		ArtifactLocation artifact `json:"artifactLocation"`
		Region           region   `json:"region"`
	}
	type location struct {
		PhysicalLocation physical `json:"physicalLocation"`
		Message          *message `json:"message,omitempty"`
	}
	type result struct {
		RuleID           string     `json:"ruleId"`
		Level            string     `json:"level"`
		Message          message    `json:"message"`
		Locations        []location `json:"locations"`
		RelatedLocations []location `json:"relatedLocations,omitempty"`
	}
	type rule struct {
		ID               string  `json:"id"`
		Name             string  `json:"name"`
		ShortDescription message `json:"shortDescription"`
		HelpURI          string  `json:"helpUri"`
		DefaultConfig    struct {
			Level string `json:"level"`
		} `json:"defaultConfiguration"`
	}
	level := map[string]string{"error": "error", "warning": "warning", "info": "note"}
	var rs []rule
	for _, r := range rules.All() {
		x := rule{ID: r.Doc.ID, Name: r.Doc.Name, ShortDescription: message{r.Doc.Title}, HelpURI: r.Doc.URL()}
		x.DefaultConfig.Level = level[string(r.Doc.Severity)]
		rs = append(rs, x)
	}
	results := []result{}
	for _, d := range diags {
		res := result{
			RuleID: d.Rule, Level: level[d.Severity], Message: message{d.Message},
			Locations: []location{{PhysicalLocation: physical{artifact{d.File}, region{d.Line, d.Column, d.EndLine, d.EndColumn}}}},
		}
		for _, r := range d.Related {
			res.RelatedLocations = append(res.RelatedLocations, location{
				PhysicalLocation: physical{artifact{r.File}, region{r.Line, r.Column, r.EndLine, r.EndColumn}},
				Message:          &message{r.Message},
			})
		}
		results = append(results, res)
	}
	doc := map[string]any{
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"version": "2.1.0",
		"runs": []any{map[string]any{
			"tool": map[string]any{"driver": map[string]any{
				"name": "modls", "version": version, "informationUri": "https://github.com/modls/modls", "rules": rs,
			}},
			"results": results,
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
