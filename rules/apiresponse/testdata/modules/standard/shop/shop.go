package shop

import (
	"context"
	_ "embed"
	"time"

	"example.com/ruletest/modules/standard/shop/contract"
	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

type Module struct{ legacy bool }

func (m *Module) Manifest() []byte { return manifest }

func (m *Module) Start(ctx context.Context, app *framework.App) error { return nil }

func (m *Module) Setup(s *framework.Setup) error {
	if err := s.Handle(
		framework.GET("/status", m.status),
		framework.GET("/totals", m.totals),      // want `response type map\[string\]int of GET /totals is not a named struct`
		framework.GET[[]Item]("/items", m.list), // want `response type \[\]Item of GET /items is not a named struct`
		framework.GET("/count", m.count),        // want `response type int of GET /count is not a named struct`
		framework.GET("/anon", func(ctx context.Context, r *framework.Request) (struct { // want `response type struct\{N int "json:\\"n\\""\} of GET /anon is not a named struct`
			N int `json:"n"`
		}, error) {
			return struct {
				N int `json:"n"`
			}{}, nil
		}),
		framework.GET("/any", m.anything), // want `response type any of GET /any is not a named struct`
		framework.GET("/items/{id}", m.item),
		framework.PUT("/items/{id}", m.update),
		framework.DELETE("/items/{id}", deleteItem),
		framework.POST("/items", m.create),
		framework.GET("/items/{key}", m.item), // want `route GET /items/\{key\} matches the same requests as GET /items/\{id\}`
		framework.GET("/items", m.list2),      // want `duplicate route GET /items`
		framework.GET("daily", m.status),      // want `route path "daily" does not start with /`
		framework.GET("/runs/{id", m.status),  // want `route path "/runs/\{id" is invalid: bad wildcard segment \(must end with '\}'\)`
		framework.GET("/a/{x}/{x}", m.status), // want `route path "/a/\{x\}/\{x\}" is invalid: duplicate wildcard name "x"`
		framework.GET("/files/{path...}", m.status),
		framework.GET("/shelf/{x}/b", m.status),
		framework.GET("/shelf/a/{y}", m.status), // want `route GET /shelf/a/\{y\} conflicts with GET /shelf/\{x\}/b: both match some paths, like "/shelf/a/b", and neither is more specific`
		framework.GET("/detail", m.detail),      // want `response type contract.Detail of GET /detail has fields without json tags: Note`
		framework.GET("/tagged", m.tagged),
		framework.POST[Item, *Item]("/copies", m.copyItem),
	); err != nil {
		return err
	}
	// Routes in exclusive branches are not duplicates.
	if m.legacy {
		if err := s.Handle(framework.GET("/mode", m.status)); err != nil {
			return err
		}
	} else if err := s.Handle(framework.GET("/mode", m.status)); err != nil {
		return err
	}
	switch {
	case m.legacy:
		return s.Handle(framework.GET("/legacy", m.status))
	default:
		return s.Handle(framework.GET("/legacy", m.status))
	}
}

type statusResponse struct {
	Module string `json:"module"`
}

func (m *Module) status(context.Context, *framework.Request) (statusResponse, error) {
	return statusResponse{}, nil
}

func (m *Module) totals(context.Context, *framework.Request) (map[string]int, error) { return nil, nil }

func (m *Module) list(context.Context, *framework.Request) ([]Item, error) { return nil, nil }

func (m *Module) list2(context.Context, *framework.Request) (Page, error) { return Page{}, nil }

func (m *Module) count(context.Context, *framework.Request) (int, error) { return 0, nil }

func (m *Module) anything(context.Context, *framework.Request) (any, error) { return nil, nil }

func (m *Module) item(context.Context, *framework.Request) (Item, error) { return Item{}, nil }

func (m *Module) update(_ context.Context, _ *framework.Request, body UpdateRequest) (Item, error) {
	return Item{}, nil
}

func (m *Module) create(_ context.Context, _ *framework.Request, body Item) (Item, error) {
	return body, nil
}

func (m *Module) copyItem(_ context.Context, _ *framework.Request, body Item) (*Item, error) {
	return &body, nil
}

func (m *Module) detail(context.Context, *framework.Request) (contract.Detail, error) {
	return contract.Detail{}, nil
}

func (m *Module) tagged(context.Context, *framework.Request) (*contract.Tagged, error) {
	return nil, nil
}

func deleteItem(context.Context, *framework.Request) (*Deleted, error) { return nil, nil }

// Item is a response model.
type Item struct {
	Base
	ID            int64           `json:"id"`
	Name          string          // want `response field Name has no json tag`
	Width, Height int             // want `response field Width has no json tag` `response field Height has no json tag`
	Created       time.Time       `json:"created"`
	Meta          *Meta           `json:"meta"`
	Tags          []Tag           `json:"tags"`
	ByName        map[string]Tag  `json:"by_name"`
	Detail        contract.Detail `json:"detail"` // want `response field Detail holds contract.Detail, whose fields Note have no json tags`
	Skipped       string          `json:"-"`
	Opt           string          `json:",omitempty"`
	secret        string
}

// Base is embedded in Item: its fields are Item's in the JSON.
type Base struct {
	Version int // want `response field Version has no json tag`
}

type Meta struct {
	Source string // want `response field Source has no json tag`
	Items  []struct {
		Label string // want `response field Label has no json tag`
	} `json:"items"`
}

type Tag struct {
	Value string // want `response field Value has no json tag`
}

// Page holds itself: the walk must end.
type Page struct {
	Next *Page  `json:"next"`
	Rows []Item `json:"rows"`
}

type Deleted struct {
	ID int64 `json:"id"`
}

// UpdateRequest is a request body, not a response: quiet.
type UpdateRequest struct {
	Name string
}

// Unused is no response model: quiet.
type Unused struct {
	Name string
}

// page is generic over its response: the instance's type argument is not
// known here.
func page[T any](path string, h func(context.Context, *framework.Request) (T, error)) framework.Route {
	return framework.GET[T](path, h)
}
