package web

import (
	"context"
	"time"

	"github.com/gonghai/gonghai"
)

// contactStore is what a customer's contacts (联系人) need of the database.
type contactStore interface {
	Contacts(ctx context.Context, viewer gonghai.User, id string) ([]gonghai.Contact, error)
	AddContact(ctx context.Context, actor gonghai.User, customerID string, f gonghai.Contact) (gonghai.Contact, error)
	UpdateContact(ctx context.Context, actor gonghai.User, customerID, contactID string, p gonghai.ContactPatch) (gonghai.Contact, error)
	DeleteContact(ctx context.Context, actor gonghai.User, customerID, contactID string) error
}

// contactJSON is one person at a customer, masked as the customer's own
// contacts are for the viewer.
type contactJSON struct {
	ID        string    `json:"id" doc:"The primary contact has the customer's id"`
	Primary   bool      `json:"primary" doc:"The customer's own name, phone, email and WeChat id: edited through the customer (update-customer)"`
	Name      string    `json:"name"`
	Title     string    `json:"title" doc:"职位"`
	Phone     string    `json:"phone" doc:"Masked (138****8000) or empty unless you see the customer's contacts"`
	Email     string    `json:"email"`
	WeChat    string    `json:"wechat"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func contactOut(k gonghai.Contact) contactJSON {
	return contactJSON{ID: k.ID, Primary: k.Primary, Name: k.Name, Title: k.Title, Phone: k.Phone, Email: k.Email, WeChat: k.WeChat,
		CreatedAt: k.Created, UpdatedAt: k.Updated}
}

// ContactFields are the fields of a contact a user may set.
type ContactFields struct {
	Name   *string `json:"name,omitempty" maxLength:"200" example:"王强"`
	Title  *string `json:"title,omitempty" maxLength:"200" example:"采购经理"`
	Phone  *string `json:"phone,omitempty" maxLength:"200" example:"13912345678"`
	Email  *string `json:"email,omitempty" maxLength:"200"`
	WeChat *string `json:"wechat,omitempty" maxLength:"200"`
}

func (f ContactFields) patch() gonghai.ContactPatch {
	return gonghai.ContactPatch{Name: f.Name, Title: f.Title, Phone: f.Phone, Email: f.Email, WeChat: f.WeChat}
}

func (s *Server) listContacts(ctx context.Context, in *IDPath) (*list[contactJSON], error) {
	return replyAll(contactOut)(s.store.Contacts(ctx, actor(ctx), in.ID))
}

type contactCreateIn struct {
	IDPath
	Body ContactFields
}

func (s *Server) createContact(ctx context.Context, in *contactCreateIn) (*body[contactJSON], error) {
	var k gonghai.Contact
	in.Body.patch().Apply(&k)
	return reply(contactOut)(s.store.AddContact(ctx, actor(ctx), in.ID, k))
}

// ContactPath names one contact of a customer.
type ContactPath struct {
	IDPath
	ContactID string `path:"contact_id" maxLength:"64"`
}

type contactPatchIn struct {
	ContactPath
	Body ContactFields
}

func (s *Server) updateContact(ctx context.Context, in *contactPatchIn) (*body[contactJSON], error) {
	return reply(contactOut)(s.store.UpdateContact(ctx, actor(ctx), in.ID, in.ContactID, in.Body.patch()))
}

func (s *Server) deleteContact(ctx context.Context, in *ContactPath) (*struct{}, error) {
	return nil, s.store.DeleteContact(ctx, actor(ctx), in.ID, in.ContactID)
}
