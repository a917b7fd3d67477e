package web

import (
	"context"

	"github.com/gonghai/gonghai"
)

// authStore is what sign-in needs of the database.
type authStore interface{}

type loginInput struct{}
type loginOutput struct{}

func (s *Server) login(ctx context.Context, in *loginInput) (*loginOutput, error) {
	return nil, gonghai.Errorf(gonghai.EInternal, "login is being written")
}

func (s *Server) logout(ctx context.Context, in *loginInput) (*loginOutput, error) {
	return nil, gonghai.Errorf(gonghai.EInternal, "logout is being written")
}
