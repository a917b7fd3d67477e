package web

import (
	"context"

	"github.com/gonghai/gonghai"
)

// privacyStore is what reveals, data subject requests and the audit log
// need of the database.
type privacyStore interface{}

type pendingInput struct{}
type pendingOutput struct{}

func (s *Server) revealContacts(ctx context.Context, in *pendingInput) (*pendingOutput, error) {
	return nil, gonghai.Errorf(gonghai.EInternal, "pending")
}
func (s *Server) exportCustomer(ctx context.Context, in *pendingInput) (*pendingOutput, error) {
	return nil, gonghai.Errorf(gonghai.EInternal, "pending")
}
func (s *Server) eraseCustomer(ctx context.Context, in *pendingInput) (*pendingOutput, error) {
	return nil, gonghai.Errorf(gonghai.EInternal, "pending")
}
func (s *Server) listAudit(ctx context.Context, in *pendingInput) (*pendingOutput, error) {
	return nil, gonghai.Errorf(gonghai.EInternal, "pending")
}
