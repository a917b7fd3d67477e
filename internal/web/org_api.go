package web

import (
	"context"

	"github.com/gonghai/gonghai"
)

type departmentIn struct {
	Body struct {
		Name     string `json:"name" minLength:"1" maxLength:"100" example:"华东销售部"`
		ParentID string `json:"parent_id,omitempty" doc:"Omit for a top-level department"`
	}
}

func (s *Server) createDepartment(ctx context.Context, in *departmentIn) (*body[departmentJSON], error) {
	return reply(departmentOut)(s.store.CreateDepartment(ctx, actor(ctx), in.Body.Name, in.Body.ParentID))
}

func (s *Server) listDepartments(ctx context.Context, _ *struct{}) (*list[departmentJSON], error) {
	return replyAll(departmentOut)(s.store.Departments(ctx))
}

type userIn struct {
	Body struct {
		Login        string `json:"login" minLength:"1" maxLength:"64"`
		Name         string `json:"name" minLength:"1" maxLength:"100"`
		Role         string `json:"role" enum:"admin,manager,rep"`
		DepartmentID string `json:"department_id,omitempty"`
		Level        string `json:"level,omitempty" maxLength:"32" example:"junior"`
		HoldingLimit *int   `json:"holding_limit,omitempty" minimum:"0" doc:"Personal limit; overrides the level's"`
	}
}

func (s *Server) createUser(ctx context.Context, in *userIn) (*body[userJSON], error) {
	a := actor(ctx)
	b := in.Body
	return reply(userOut)(s.store.CreateUser(ctx, &a, gonghai.NewUser{Login: b.Login, Name: b.Name, Role: gonghai.Role(b.Role),
		DepartmentID: b.DepartmentID, Level: b.Level, HoldingLimit: b.HoldingLimit}))
}

func (s *Server) listUsers(ctx context.Context, in *PageParams) (*list[userJSON], error) {
	pg, err := in.page()
	if err != nil {
		return nil, err
	}
	return replyList(userOut)(s.store.Users(ctx, actor(ctx), pg))
}

func (s *Server) getUser(ctx context.Context, in *IDPath) (*body[userJSON], error) {
	return reply(userOut)(s.store.User(ctx, actor(ctx), in.ID))
}

type userPatchIn struct {
	IDPath
	Body struct {
		Name         *string     `json:"name,omitempty" minLength:"1" maxLength:"100"`
		Role         *string     `json:"role,omitempty" enum:"admin,manager,rep"`
		DepartmentID *string     `json:"department_id,omitempty" doc:"Empty string: no department"`
		Level        *string     `json:"level,omitempty" maxLength:"32"`
		HoldingLimit nullableInt `json:"holding_limit,omitempty" doc:"Personal limit; null: the level's limit applies again"`
		Active       *bool       `json:"active,omitempty" doc:"false ends the user's sessions and tokens for good"`
		// A separate permission, granted by an admin to an admin only.
		ExportUnmasked *bool `json:"export_unmasked,omitempty" doc:"May export lists with contacts in full; admins only (invalid for others)"`
		AwayFields
	}
}

func (s *Server) updateUser(ctx context.Context, in *userPatchIn) (*body[userJSON], error) {
	b := in.Body
	var role *gonghai.Role
	if b.Role != nil {
		r := gonghai.Role(*b.Role)
		role = &r
	}
	p := gonghai.UserPatch{Name: b.Name, Role: role, DepartmentID: b.DepartmentID, Level: b.Level,
		HoldingLimit: b.HoldingLimit.v, ClearHoldingLimit: b.HoldingLimit.null(), Active: b.Active, ExportUnmasked: b.ExportUnmasked}
	return reply(userOut)(s.changeUser(ctx, in.ID, p, b.AwayFields))
}
