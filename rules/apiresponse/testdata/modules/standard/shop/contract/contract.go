// Package contract is standard.shop's contract.
package contract

// Detail is a DTO of the module with a field without a json tag.
type Detail struct {
	ID   int64 `json:"id"`
	Note string
}

// Tagged is a DTO whose fields all have json tags.
type Tagged struct {
	ID int64 `json:"id"`
}
