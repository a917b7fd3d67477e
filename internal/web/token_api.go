package web

import (
	"context"
	"time"

	"github.com/gonghai/gonghai"
)

// tokenStore is what API token management needs of the database.
type tokenStore interface {
	IssueToken(ctx context.Context, actor *gonghai.User, login, session string, in gonghai.NewToken) (gonghai.Token, string, error)
	Tokens(ctx context.Context, viewer gonghai.User, holderID string) ([]gonghai.Token, error)
	RevokeToken(ctx context.Context, actor *gonghai.User, id string) error
}

type tokenJSON struct {
	ID        string     `json:"id"`
	UserID    string     `json:"user_id"`
	Name      string     `json:"name"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at" doc:"null: until revoked"`
}

func tokenOut(t gonghai.Token) tokenJSON {
	return tokenJSON{ID: t.ID, UserID: t.UserID, Name: t.Name, CreatedAt: t.Created, ExpiresAt: t.Expires}
}

type newTokenJSON struct {
	ID        string     `json:"id"`
	UserID    string     `json:"user_id"`
	Name      string     `json:"name"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at" doc:"null: until revoked"`
	Token     string     `json:"token" doc:"The bearer token, shown this once: only its hash is kept"`
}

type tokenCreateIn struct {
	Body struct {
		Name          string `json:"name,omitempty" maxLength:"100" example:"报表脚本"`
		ExpiresInDays int    `json:"expires_in_days,omitempty" minimum:"0" maximum:"3650" doc:"The token ends this many days from now; 0 or omitted: until revoked"`
	}
}

// createToken makes a token for the signed-in user. It takes a browser
// session: a token that could make tokens would outlive its own expiry
// and its revocation.
func (s *Server) createToken(ctx context.Context, in *tokenCreateIn) (*body[newTokenJSON], error) {
	session, _ := ctx.Value(sessionKey{}).(string)
	if session == "" {
		return nil, gonghai.Errorf(gonghai.EForbidden, "sign in with a password to make tokens; a token cannot make tokens")
	}
	a := actor(ctx)
	t, secret, err := s.store.IssueToken(ctx, &a, a.Login, session, gonghai.NewToken{Name: in.Body.Name, ExpiresInDays: in.Body.ExpiresInDays})
	if err != nil {
		return nil, err
	}
	return bodyOf(newTokenJSON{ID: t.ID, UserID: t.UserID, Name: t.Name, CreatedAt: t.Created, ExpiresAt: t.Expires, Token: secret}), nil
}

type tokenListIn struct {
	UserID string `query:"user_id" maxLength:"64" doc:"Whose tokens (admins); omitted: your own"`
}

func (s *Server) listTokens(ctx context.Context, in *tokenListIn) (*list[tokenJSON], error) {
	holder := in.UserID
	if holder == "" {
		holder = actor(ctx).ID
	}
	return replyAll(tokenOut)(s.store.Tokens(ctx, actor(ctx), holder))
}

func (s *Server) revokeToken(ctx context.Context, in *IDPath) (*struct{}, error) {
	a := actor(ctx)
	if err := s.store.RevokeToken(ctx, &a, in.ID); err != nil {
		return nil, err
	}
	return nil, nil
}
